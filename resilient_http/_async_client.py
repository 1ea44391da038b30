"""The async client: the sync client's twin, with the same engine and the same rules."""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import anyio
import httpx2

from ._client import (
    ATTEMPT_HEADER,
    ATTEMPTS_EXTENSION,
    DEFAULT_KEEPALIVE_EXPIRY_S,
    default_headers,
    pool_limits,
)
from ._engine import CallState, apply_idempotency_key
from ._hosts import DEFAULT_HOSTS, HostRegistry
from ._policy import RetryPolicy


class AsyncResilientClient:
    """The async twin of ``ResilientClient``, with the same rules and arguments.

    Each attempt runs inside an anyio cancel scope that fires at the deadline, so a server that
    trickles its body cannot hold the call past the deadline.
    """

    def __init__(
        self,
        base_url: str = "",
        *,
        policy: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        transport: httpx2.AsyncBaseTransport | None = None,
        hosts: HostRegistry = DEFAULT_HOSTS,
        keepalive_expiry_s: float = DEFAULT_KEEPALIVE_EXPIRY_S,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        uniform: Callable[[], float] = random.random,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self._client = httpx2.AsyncClient(
            base_url=base_url,
            headers=default_headers(headers),
            transport=transport,
            limits=pool_limits(keepalive_expiry_s),
        )
        self._hosts = hosts
        self._clock = clock
        self._sleep = sleep
        self._uniform = uniform

    async def request(
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

        The arguments are those of ``ResilientClient.request``.
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
                with anyio.fail_after(call.time_left()):
                    response = await self._client.send(request)
            except (httpx2.RequestError, TimeoutError) as exc:
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
                await self._sleep(decision.retry_after_s)

    async def get(self, url: str, **kwargs: Any) -> httpx2.Response:
        """Send a GET request; see ``request``."""
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx2.Response:
        """Send a POST request; see ``request``."""
        return await self.request("POST", url, **kwargs)

    async def put(self, url: str, **kwargs: Any) -> httpx2.Response:
        """Send a PUT request; see ``request``."""
        return await self.request("PUT", url, **kwargs)

    async def delete(self, url: str, **kwargs: Any) -> httpx2.Response:
        """Send a DELETE request; see ``request``."""
        return await self.request("DELETE", url, **kwargs)

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._client.aclose()

    async def __aenter__(self) -> AsyncResilientClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
