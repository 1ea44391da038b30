"""Helpers to script the stand-in upstream's faults and to call it with either client."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx2

from resilient_http import (
    AsyncResilientClient,
    CallFailed,
    HostRegistry,
    ResilientClient,
    RetryPolicy,
    attempts_of,
)

#: Short backoff and no budget, so tests that are not about the budget never run out of retries.
FAST = RetryPolicy(backoff_base_s=0.001, backoff_cap_s=0.002, deadline_s=5.0, budget_enabled=False)


@dataclass
class StandIn:
    """The stand-in upstream at ``url``, with one fresh fault key per test."""

    url: str
    key: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def path(self) -> str:
        return f"/faults/{self.key}/call"

    def script(self, **fault: Any) -> None:
        response = httpx2.put(f"{self.url}/faults/{self.key}", json=fault, timeout=5)
        assert response.status_code == 200, response.text

    def record(self) -> dict[str, Any]:
        record: dict[str, Any] = httpx2.get(f"{self.url}/faults/{self.key}", timeout=5).json()
        return record

    @property
    def hits(self) -> int:
        hits: int = self.record()["hits"]
        return hits

    def sent_headers(self, name: str) -> list[str | None]:
        return [request["headers"].get(name.lower()) for request in self.record()["requests"]]


def _attempt_count(send: Callable[[], httpx2.Response]) -> int:
    try:
        return len(attempts_of(send()))
    except CallFailed as exc:
        return len(exc.attempts)


async def _async_attempt_count(client: AsyncResilientClient, method: str, path: str) -> int:
    try:
        return len(attempts_of(await client.request(method, path)))
    except CallFailed as exc:
        return len(exc.attempts)


@dataclass
class Caller:
    """Sends calls through a sync or an async client; all calls share one ``HostRegistry``."""

    kind: str
    url: str
    hosts: HostRegistry = field(default_factory=HostRegistry)
    #: Wall-clock seconds of the last ``call``'s request, without building and closing the client.
    last_call_s: float = 0.0

    def call(
        self,
        method: str,
        path: str,
        policy: RetryPolicy = FAST,
        client_options: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> httpx2.Response:
        """Make one call through a new client and return its response."""
        options = {"policy": policy, "hosts": self.hosts, **(client_options or {})}
        if self.kind == "sync":
            with ResilientClient(self.url, **options) as client:
                started = time.monotonic()
                try:
                    return client.request(method, path, **kwargs)
                finally:
                    self.last_call_s = time.monotonic() - started

        async def run() -> httpx2.Response:
            async with AsyncResilientClient(self.url, **options) as client:
                started = time.monotonic()
                try:
                    return await client.request(method, path, **kwargs)
                finally:
                    self.last_call_s = time.monotonic() - started

        return anyio.run(run)

    def repeat(
        self,
        count: int,
        path: str,
        policy: RetryPolicy,
        before_each: Callable[[int], None] = lambda index: None,
    ) -> list[int]:
        """Make ``count`` GET calls through one client; return the attempts of each call."""
        counts: list[int] = []
        if self.kind == "sync":
            with ResilientClient(self.url, policy=policy, hosts=self.hosts) as client:
                for index in range(count):
                    before_each(index)
                    counts.append(_attempt_count(lambda: client.get(path)))
            return counts

        async def run() -> None:
            async with AsyncResilientClient(self.url, policy=policy, hosts=self.hosts) as client:
                for index in range(count):
                    before_each(index)
                    counts.append(await _async_attempt_count(client, "GET", path))

        anyio.run(run)
        return counts
