"""The sync client: one pooled httpx2 client with the retry engine around it."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx2

from ._attempts import Attempt
from ._engine import CallState, apply_idempotency_key
from ._hosts import DEFAULT_HOSTS, HostRegistry
from ._policy import RetryPolicy
from ._transport import DeadlineTransport, send_before

#: Header that carries the 1-based attempt number, so servers can tell retries apart in logs.
ATTEMPT_HEADER = "X-Attempt"

#: Key under which a response's ``extensions`` carries the attempt history of its call.
ATTEMPTS_EXTENSION = "resilient_http.attempts"

#: Idle pooled connections are dropped after this many seconds. It must stay below the server's
#: keep-alive timeout (20 s in the api's gunicorn settings), or the server may close a connection
#: just as the client reuses it.
DEFAULT_KEEPALIVE_EXPIRY_S = 4.0
DEFAULT_MAX_CONNECTIONS = 100


def attempts_of(response: httpx2.Response) -> list[Attempt]:
    """Return the attempt history of the call that produced ``response``."""
    attempts: list[Attempt] = response.extensions.get(ATTEMPTS_EXTENSION, [])
    return attempts


def default_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    """Return the client's default headers: ``headers`` plus ``X-Attempt: 1``.

    The first attempt's header is a default header of the pooled client. A request built without
    headers of its own then needs no header merge, and retries overwrite the header.
    """
    return {**(headers or {}), ATTEMPT_HEADER: "1"}


def pool_limits(keepalive_expiry_s: float = DEFAULT_KEEPALIVE_EXPIRY_S) -> httpx2.Limits:
    """Return the connection pool limits both clients use."""
    return httpx2.Limits(
        max_connections=DEFAULT_MAX_CONNECTIONS,
        max_keepalive_connections=DEFAULT_MAX_CONNECTIONS,
        keepalive_expiry=keepalive_expiry_s,
    )


class ResilientClient:
    """A blocking HTTP client for one upstream that retries by ``policy``.

    Create one per process and upstream and reuse it, because it owns the connection pool. It
    returns every response whose status is not retried (2xx, 3xx and most 4xx) and raises a
    ``CallFailed`` subclass when the call ends without one. The default transport stops every
    socket operation at the call's deadline. A custom ``transport`` keeps only the per-attempt
    timeouts, which a server trickling its body can outlast.
    """

    def __init__(
        self,
        base_url: str = "",
        *,
        policy: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        transport: httpx2.BaseTransport | None = None,
        hosts: HostRegistry = DEFAULT_HOSTS,
        keepalive_expiry_s: float = DEFAULT_KEEPALIVE_EXPIRY_S,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        uniform: Callable[[], float] = random.random,
    ) -> None:
        self.policy = policy or RetryPolicy()
        limits = pool_limits(keepalive_expiry_s)
        self._client = httpx2.Client(
            base_url=base_url,
            headers=default_headers(headers),
            transport=transport or DeadlineTransport(limits),
            limits=limits,
        )
        self._hosts = hosts
        self._clock = clock
        self._sleep = sleep
        self._uniform = uniform

    def request(
        self,
        method: str,
        url: str,
        *,
        attempts: int | None = None,
        deadline_s: float | None = None,
        idempotency_key: str | bool | None = None,
        **kwargs: Any,
    ) -> httpx2.Response:
        """Send a request, retrying by the policy, and return the final response.

        ``attempts`` and ``deadline_s`` override the policy for this call. ``idempotency_key``
        sends an Idempotency-Key header, the same on every attempt: a given key, or True or
        ``"auto"`` for a random one. A header the caller set already is never replaced. Other
        keyword arguments go to ``httpx2.Client.build_request``.
        """
        request = self._client.build_request(method, url, **kwargs)
        apply_idempotency_key(request, idempotency_key)
        call = CallState(
            self.policy,
            request,
            hosts=self._hosts,
            clock=self._clock,
            uniform=self._uniform,
            max_attempts=attempts,
            deadline_s=deadline_s,
        )

        while True:
            if call.attempts:
                request.headers[ATTEMPT_HEADER] = str(call.attempt_number)
            request.extensions["timeout"] = call.start_attempt()
            try:
                response = send_before(self._client, request, call.monotonic_deadline())
            except httpx2.RequestError as exc:
                decision = call.on_failure(exc)
                if decision.error is not None:
                    raise decision.error from exc
            else:
                response.extensions[ATTEMPTS_EXTENSION] = call.attempts
                decision = call.on_response(response)
                if decision.error is not None:
                    raise decision.error
                if decision.retry_after_s is None:
                    return response

            assert decision.retry_after_s is not None
            if decision.retry_after_s > 0:
                self._sleep(decision.retry_after_s)

    def get(self, url: str, **kwargs: Any) -> httpx2.Response:
        """Send a GET request; see ``request``."""
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx2.Response:
        """Send a POST request; see ``request``."""
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> httpx2.Response:
        """Send a PUT request; see ``request``."""
        return self.request("PUT", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx2.Response:
        """Send a DELETE request; see ``request``."""
        return self.request("DELETE", url, **kwargs)

    def close(self) -> None:
        """Close the pooled connections."""
        self._client.close()

    def __enter__(self) -> ResilientClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
