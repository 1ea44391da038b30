"""Steady load on the api through the resilient client, bounded in calls and seconds."""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx2

from resilient_http import (
    Attempt,
    CallFailed,
    HostRegistry,
    ResilientClient,
    RetryPolicy,
    attempts_of,
)

#: The policy of the load's logical calls. After a SIGTERM the api is down for several seconds,
#: until `docker compose start` runs it again, so every call may retry for 60 s, with short
#: backoff to notice the return quickly. The retry budget is off: under an outage it
#: lets through only about a tenth of first attempts as retries, by design, so calls would fail
#: because of the client's load shedding. These tests measure what the server loses.
FAULT_POLICY = RetryPolicy(
    max_attempts=300,
    deadline_s=60.0,
    connect_timeout_s=2.0,
    read_timeout_s=10.0,
    backoff_base_s=0.05,
    backoff_cap_s=0.5,
    budget_enabled=False,
)
DEFAULT_THREADS = 3
#: Pause between two calls of one thread, which keeps the load near 20 calls/s per thread.
DEFAULT_PAUSE_S = 0.05
DEFAULT_MAX_CALLS_PER_THREAD = 1_000
DEFAULT_MAX_SECONDS = 120.0

#: The calls each thread makes in turn: a GET that the api forwards to the upstream, and a POST
#: that the Idempotency-Key makes safe to retry after it was sent.
CALLS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("GET", "/todos/1", {}),
    ("POST", "/echo", {"json": {"message": "fault test"}, "idempotency_key": True}),
)


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One logical call: its request id, its attempts, and the error if it failed."""

    request_id: str
    method: str
    path: str
    attempts: tuple[Attempt, ...]
    error: str | None

    @property
    def responses(self) -> int:
        """Attempts that got a complete response, whatever its status."""
        return sum(attempt.status is not None for attempt in self.attempts)


@dataclass(slots=True)
class LoadSummary:
    """Counts over every call of a load run."""

    calls: int = 0
    failed_calls: int = 0
    attempts: int = 0
    failed_attempts: Counter[str] = field(default_factory=Counter)

    def __str__(self) -> str:
        failures = dict(self.failed_attempts) or "none"
        return (
            f"{self.calls} logical calls, {self.failed_calls} failed; "
            f"{self.attempts} attempts, failed attempts by outcome: {failures}"
        )


class SteadyLoad:
    """A few threads, each sending sequential calls to the api until ``stop`` or a limit.

    Each logical call sends its own ``X-Request-ID`` (``prefix`` and a random part), the same on
    every attempt, so the api's access log shows how many of its attempts the server handled.
    """

    def __init__(
        self,
        base_url: str,
        prefix: str,
        *,
        threads: int = DEFAULT_THREADS,
        pause_s: float = DEFAULT_PAUSE_S,
        max_calls_per_thread: int = DEFAULT_MAX_CALLS_PER_THREAD,
        max_seconds: float = DEFAULT_MAX_SECONDS,
    ) -> None:
        self.prefix = prefix
        self._client = ResilientClient(base_url, policy=FAULT_POLICY, hosts=HostRegistry())
        self._pause_s = pause_s
        self._max_calls = max_calls_per_thread
        self._max_seconds = max_seconds
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._records: list[CallRecord] = []
        self._threads = [
            threading.Thread(target=self._run, name=f"load-{number}", daemon=True)
            for number in range(threads)
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Let every thread finish its current call, then close the client."""
        self._stop.set()
        # A call in progress may take up to the policy's deadline.
        for thread in self._threads:
            thread.join(timeout=FAULT_POLICY.deadline_s + 5)
        self._client.close()

    def __enter__(self) -> SteadyLoad:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def records(self) -> list[CallRecord]:
        with self._lock:
            return list(self._records)

    def successes_after(self, count: int) -> int:
        """Return how many calls, of those recorded after the first ``count``, succeeded."""
        return sum(record.error is None for record in self.records[count:])

    def wait_for_successes(self, successes: int, timeout_s: float) -> None:
        """Wait until ``successes`` more calls have succeeded than had when this was called."""
        start = len(self.records)
        deadline = time.monotonic() + timeout_s
        while self.successes_after(start) < successes:
            if time.monotonic() > deadline or not any(t.is_alive() for t in self._threads):
                raise AssertionError(
                    f"expected {successes} more successful calls within {timeout_s}s, "
                    f"got {self.successes_after(start)}"
                )
            time.sleep(0.05)

    def summary(self) -> LoadSummary:
        summary = LoadSummary()
        for record in self.records:
            summary.calls += 1
            summary.failed_calls += record.error is not None
            summary.attempts += len(record.attempts)
            for attempt in record.attempts:
                if attempt.status is None or attempt.status >= 500:
                    summary.failed_attempts[attempt.outcome] += 1
        return summary

    def _run(self) -> None:
        started = time.monotonic()
        for number, (method, path, kwargs) in zip(
            range(self._max_calls), itertools.cycle(CALLS), strict=False
        ):
            if self._stop.is_set() or time.monotonic() - started > self._max_seconds:
                return
            request_id = f"{self.prefix}-{uuid.uuid4().hex}"
            record = self._call(method, path, request_id, kwargs)
            with self._lock:
                self._records.append(record)
            if number < self._max_calls - 1:
                self._stop.wait(self._pause_s)

    def _call(self, method: str, path: str, request_id: str, kwargs: dict[str, Any]) -> CallRecord:
        headers = {"X-Request-ID": request_id}
        try:
            response = self._client.request(method, path, headers=headers, **kwargs)
        except CallFailed as exc:
            return CallRecord(request_id, method, path, tuple(exc.attempts), str(exc))

        attempts = tuple(attempts_of(response))
        error = None
        if response.status_code != httpx2.codes.OK:
            error = f"{method} {path} returned {response.status_code}"
        return CallRecord(request_id, method, path, attempts, error)
