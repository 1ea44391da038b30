"""The retry engine shared by the sync and the async client.

A ``CallState`` owns one logical call: its deadline, its attempt history and the decision taken
after each attempt. The clients only send requests and sleep, so both follow exactly the same rules.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx2

from ._attempts import FAILURES_BEFORE_SEND, Attempt, FailureKind
from ._backoff import full_jitter_delay
from ._classify import classify_exception
from ._exceptions import CallFailed, DeadlineExceeded, NotRetryable, RetriesExhausted
from ._policy import (
    STATUSES_RETRYABLE_FOR_ANY_METHOD,
    STATUSES_RETRYABLE_IF_IDEMPOTENT,
    RetryPolicy,
)

logger = logging.getLogger("resilient_http")

#: Below this many seconds left, starting another attempt cannot succeed.
MIN_ATTEMPT_S = 0.001


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do after an attempt: return its response, sleep and retry, or raise ``error``."""

    retry_after_s: float | None = None
    error: CallFailed | None = None


RETURN = Decision()


class CallState:
    """The rules and the history of one logical call."""

    def __init__(
        self,
        policy: RetryPolicy,
        request: httpx2.Request,
        *,
        clock: Callable[[], float] = time.monotonic,
        uniform: Callable[[], float] = random.random,
    ) -> None:
        self.policy = policy
        self.method = request.method
        self.target = _target_without_query(request.url)
        self.idempotent = (
            request.method in policy.idempotent_methods or "idempotency-key" in request.headers
        )
        self.attempts: list[Attempt] = []
        self._clock = clock
        self._uniform = uniform
        self._started = clock()
        self._deadline = self._started + policy.deadline_s
        self._wait_before_next = 0.0

    @property
    def attempt_number(self) -> int:
        """Number of the attempt about to start (1-based)."""
        return len(self.attempts) + 1

    def time_left(self) -> float:
        """Seconds until the call's deadline, never negative."""
        return max(0.0, self._deadline - self._clock())

    def attempt_timeout(self) -> httpx2.Timeout:
        """Build the timeouts of the next attempt, each clamped to the time left.

        Raises ``DeadlineExceeded`` when no time is left for another attempt.
        """
        left = self.time_left()
        if left < MIN_ATTEMPT_S:
            raise self._error(DeadlineExceeded, "the deadline passed before the next attempt")

        connect = min(self.policy.connect_timeout_s, left)
        read = min(self.policy.read_timeout_s, left)
        return httpx2.Timeout(connect=connect, read=read, write=read, pool=connect)

    def on_response(self, response: httpx2.Response) -> Decision:
        """Record a response and decide whether the call is done."""
        status = response.status_code
        self._record(str(status), status)
        retryable = status in STATUSES_RETRYABLE_FOR_ANY_METHOD or (
            status in STATUSES_RETRYABLE_IF_IDEMPOTENT and self.idempotent
        )
        if not retryable:
            return RETURN

        return self._retry_or_fail(f"status {status}", response)

    def on_failure(self, exc: httpx2.TransportError | TimeoutError) -> Decision:
        """Record a transport failure (or the deadline firing) and decide what to do."""
        if isinstance(exc, TimeoutError):
            kind: FailureKind | None = FailureKind.DEADLINE
        else:
            kind = classify_exception(exc)
        self._record(kind.value if kind else type(exc).__name__, None)

        if kind is FailureKind.DEADLINE:
            return Decision(error=self._error(DeadlineExceeded, "the deadline passed mid-attempt"))
        if kind is None:
            return Decision(error=self._error(NotRetryable, f"{type(exc).__name__}: {exc}"))
        if kind not in FAILURES_BEFORE_SEND and not self.idempotent:
            reason = (
                f"{kind.value} after the request was sent, and {self.method} without an "
                "Idempotency-Key is not safe to repeat"
            )
            return Decision(error=self._error(NotRetryable, reason))

        return self._retry_or_fail(kind.value, None)

    def _retry_or_fail(self, reason: str, response: httpx2.Response | None) -> Decision:
        if len(self.attempts) >= self.policy.max_attempts:
            return Decision(
                error=self._error(
                    RetriesExhausted,
                    f"{reason} on the last of {self.policy.max_attempts} attempts",
                    response,
                )
            )

        wait = full_jitter_delay(self.policy, len(self.attempts), self._uniform)
        left = self.time_left()
        if wait >= left:
            return Decision(
                error=self._error(
                    DeadlineExceeded,
                    f"{reason}, and the next backoff of {wait:.3f}s would end past the deadline",
                    response,
                )
            )

        self._wait_before_next = wait
        logger.info(
            "retry_scheduled",
            extra={
                "target": self.target,
                "method": self.method,
                "attempt": len(self.attempts),
                "outcome": self.attempts[-1].outcome,
                "reason": reason,
                "wait_s": round(wait, 4),
                "time_left_s": round(left, 4),
            },
        )
        return Decision(retry_after_s=wait)

    def _record(self, outcome: str, status: int | None) -> None:
        self.attempts.append(
            Attempt(
                number=len(self.attempts) + 1,
                outcome=outcome,
                wait_s=self._wait_before_next,
                elapsed_s=self._clock() - self._started,
                status=status,
            )
        )
        self._wait_before_next = 0.0

    def _error(
        self,
        error_type: type[CallFailed],
        why: str,
        response: httpx2.Response | None = None,
    ) -> CallFailed:
        count = len(self.attempts)
        noun = "attempt" if count == 1 else "attempts"
        message = (
            f"{self.method} {self.target} failed after {count} {noun} "
            f"in {self._clock() - self._started:.3f}s: {why}"
        )
        return error_type(
            message,
            method=self.method,
            target=self.target,
            attempts=list(self.attempts),
            response=response,
        )


def _target_without_query(url: httpx2.URL) -> str:
    """Drop the query string, which may carry tokens, from a URL meant for logs and errors."""
    return str(url.copy_with(query=None, fragment=None))
