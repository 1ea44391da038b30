"""Sync and async clients: one pooled httpx2 client each, with the retry engine around it."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from typing import Any

import anyio
import httpx2

from ._attempts import Attempt
from ._engine import CallState
from ._policy import RetryPolicy

#: Header that carries the 1-based attempt number, so servers can tell retries apart in logs.
ATTEMPT_HEADER = "X-Attempt"

#: Key under which a response's ``extensions`` carries the attempt history of its call.
ATTEMPTS_EXTENSION = "resilient_http.attempts"

#: Idle pooled connections are dropped after this many seconds. It must stay below the server's
#: keep-alive timeout, or the server may close a connection just as the client reuses it.
DEFAULT_KEEPALIVE_EXPIRY_S = 4.0
DEFAULT_MAX_CONNECTIONS = 100


def attempts_of(response: httpx2.Response) -> list[Attempt]:
    """Return the attempt history of the call that produced ``response``."""
    attempts: list[Attempt] = response.extensions.get(ATTEMPTS_EXTENSION, [])
    return attempts


def _limits() -> httpx2.Limits:
    return httpx2.Limits(
        max_connections=DEFAULT_MAX_CONNECTIONS,
        max_keepalive_connections=DEFAULT_MAX_CONNECTIONS,
        keepalive_expiry=DEFAULT_KEEPALIVE_EXPIRY_S,
    )


class ResilientClient:
    """A blocking HTTP client for one upstream that retries by ``policy``.

    Create one per process and upstream and reuse it: it holds the connection pool.
    It returns every response whose status is not retried (2xx, 3xx and most 4xx) and raises a
    ``CallFailed`` subclass when the call ends without one.
    """

    def __init__(
        self,
        base_url: str = "",
        *,
        policy: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        transport: httpx2.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        uniform: Callable[[], float] = random.random,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self._client = httpx2.Client(
            base_url=base_url, headers=headers, transport=transport, limits=_limits()
        )
        self._clock = clock
        self._sleep = sleep
        self._uniform = uniform

    def request(self, method: str, url: str, **kwargs: Any) -> httpx2.Response:
        """Send a request, retrying by the policy, and return the final response."""
        request = self._client.build_request(method, url, **kwargs)
        call = CallState(self.policy, request, clock=self._clock, uniform=self._uniform)

        while True:
            request.headers[ATTEMPT_HEADER] = str(call.attempt_number)
            request.extensions["timeout"] = call.attempt_timeout().as_dict()
            try:
                response = self._client.send(request)
            except httpx2.TransportError as exc:
                decision = call.on_failure(exc)
                if decision.error is not None:
                    raise decision.error from exc
            else:
                decision = call.on_response(response)
                if decision.error is not None:
                    raise decision.error
                if decision.retry_after_s is None:
                    response.extensions[ATTEMPTS_EXTENSION] = call.attempts
                    return response

            assert decision.retry_after_s is not None
            self._sleep(decision.retry_after_s)

    def get(self, url: str, **kwargs: Any) -> httpx2.Response:
        """Send a GET request; see ``request``."""
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx2.Response:
        """Send a POST request; see ``request``."""
        return self.request("POST", url, **kwargs)

    def close(self) -> None:
        """Close the pooled connections."""
        self._client.close()

    def __enter__(self) -> ResilientClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncResilientClient:
    """The async twin of ``ResilientClient``, with the same rules.

    Each attempt runs inside a cancel scope that fires at the deadline, so a server that trickles
    its body cannot hold the call past the deadline.
    """

    def __init__(
        self,
        base_url: str = "",
        *,
        policy: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        transport: httpx2.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Any] = anyio.sleep,
        uniform: Callable[[], float] = random.random,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self._client = httpx2.AsyncClient(
            base_url=base_url, headers=headers, transport=transport, limits=_limits()
        )
        self._clock = clock
        self._sleep = sleep
        self._uniform = uniform

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx2.Response:
        """Send a request, retrying by the policy, and return the final response."""
        request = self._client.build_request(method, url, **kwargs)
        call = CallState(self.policy, request, clock=self._clock, uniform=self._uniform)

        while True:
            request.headers[ATTEMPT_HEADER] = str(call.attempt_number)
            timeout = call.attempt_timeout()
            request.extensions["timeout"] = timeout.as_dict()
            try:
                with anyio.fail_after(call.time_left()):
                    response = await self._client.send(request)
            except (httpx2.TransportError, TimeoutError) as exc:
                decision = call.on_failure(exc)
                if decision.error is not None:
                    raise decision.error from exc
            else:
                decision = call.on_response(response)
                if decision.error is not None:
                    raise decision.error
                if decision.retry_after_s is None:
                    response.extensions[ATTEMPTS_EXTENSION] = call.attempts
                    return response

            assert decision.retry_after_s is not None
            await self._sleep(decision.retry_after_s)

    async def get(self, url: str, **kwargs: Any) -> httpx2.Response:
        """Send a GET request; see ``request``."""
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx2.Response:
        """Send a POST request; see ``request``."""
        return await self.request("POST", url, **kwargs)

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._client.aclose()

    async def __aenter__(self) -> AsyncResilientClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
