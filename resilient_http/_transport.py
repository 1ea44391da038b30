"""A sync transport whose socket operations stop at the call's deadline.

httpcore2 reads its read timeout afresh for every socket read, so a per-request read timeout cannot
stop a server that sends one byte just before each timeout. This transport's network backend clamps
every connect, read and write to the deadline held in ``_deadline`` and raises the matching
httpcore2 timeout once it has passed.
"""

from __future__ import annotations

import contextvars
import ssl
import time
from collections.abc import Iterable

import httpcore2
import httpx2

#: Monotonic time at which the current thread's or task's call must end, or None for no deadline.
_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "resilient_http_deadline", default=None
)

SocketOption = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)


def send_before(client: httpx2.Client, request: httpx2.Request, deadline: float) -> httpx2.Response:
    """Send ``request`` through ``client`` so that every socket operation stops at ``deadline``,
    a ``time.monotonic`` value. It is a function rather than a context manager because it runs on
    every attempt, where a ``with`` block costs three more calls."""
    token = _deadline.set(deadline)
    try:
        return client.send(request)
    finally:
        _deadline.reset(token)


def _clamp(timeout: float | None, error: type[httpcore2.TimeoutException]) -> float | None:
    deadline = _deadline.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise error("the call's deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore2.NetworkStream):
    def __init__(self, stream: httpcore2.NetworkStream) -> None:
        self._stream = stream
        # The pool reads socket details twice per request to check a kept-alive connection.
        # Binding the wrapped stream's methods saves one call each time.
        self.get_extra_info = stream.get_extra_info  # type: ignore[method-assign]
        self.close = stream.close  # type: ignore[method-assign]

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _clamp(timeout, httpcore2.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        # h11 passes an empty buffer for the end of a request without a body. Writing it sends
        # nothing, so it needs no deadline either.
        if buffer:
            self._stream.write(buffer, _clamp(timeout, httpcore2.WriteTimeout))

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore2.NetworkStream:
        clamped = _clamp(timeout, httpcore2.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, clamped))


class _DeadlineBackend(httpcore2.NetworkBackend):
    def __init__(self) -> None:
        self._backend = httpcore2.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore2.NetworkStream:
        clamped = _clamp(timeout, httpcore2.ConnectTimeout)
        stream = self._backend.connect_tcp(host, port, clamped, local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore2.NetworkStream:
        clamped = _clamp(timeout, httpcore2.ConnectTimeout)
        stream = self._backend.connect_unix_socket(path, clamped, socket_options)
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class DeadlineTransport(httpx2.HTTPTransport):
    """``httpx2.HTTPTransport`` over the deadline backend; HTTP/1.1, no proxy."""

    def __init__(self, limits: httpx2.Limits, verify: ssl.SSLContext | bool = True) -> None:
        super().__init__(limits=limits, verify=verify)
        self._pool.close()
        self._pool = httpcore2.ConnectionPool(
            ssl_context=httpx2.create_ssl_context(verify=verify),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_DeadlineBackend(),
        )
