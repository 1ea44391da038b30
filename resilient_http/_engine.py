"""The retry engine shared by the sync and the async client.

A ``CallState`` owns one logical call: its deadline, its attempt history and the decision taken
after each attempt. The clients only send requests and sleep, so both follow exactly the same rules.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx2

from . import _metrics
from ._attempts import FAILURES_BEFORE_SEND, TIMEOUT_KINDS, Attempt, FailureKind
from ._backoff import full_jitter_delay
from ._classify import classify_exception
from ._events import build_error, log_decision
from ._exceptions import (
    CallFailed,
    CircuitOpen,
    DeadlineExceeded,
    NotRetryable,
    RetriesExhausted,
    RetryBudgetExhausted,
    RetryHintTooLong,
)
from ._hints import parse_retry_hint, parse_should_retry
from ._hosts import DEFAULT_HOSTS, HostRegistry
from ._policy import (
    STATUSES_RETRYABLE_FOR_ANY_METHOD,
    STATUSES_RETRYABLE_IF_IDEMPOTENT,
    RetryPolicy,
)
from ._testing import is_testing

#: Below this many seconds left, starting another attempt cannot succeed.
MIN_ATTEMPT_S = 0.001
IDEMPOTENCY_HEADER = "Idempotency-Key"


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of an attempt: return its response, sleep and retry, or raise ``error``."""

    retry_after_s: float | None = None
    error: CallFailed | None = None


RETURN = Decision()


def apply_idempotency_key(request: httpx2.Request, key: str | bool | None) -> None:
    """Set the Idempotency-Key header once per logical call, unless the request already has one.

    ``key`` is a key to send, True or ``"auto"`` to mint a random one, or None/False for none.
    """
    if not key or IDEMPOTENCY_HEADER in request.headers:
        return
    minted = uuid.uuid4().hex if key is True or key == "auto" else str(key)
    request.headers[IDEMPOTENCY_HEADER] = minted


def host_of(url: httpx2.URL) -> str:
    """Return scheme, host and port (when not the scheme's default): the key of per-host state
    and the ``host`` metric label."""
    key = (url.scheme, url.raw_host, url.port)
    host = _hosts_by_parts.get(key)
    if host is None:
        host = f"{url.scheme}://{url.netloc.decode('ascii')}"
        if len(_hosts_by_parts) < _MAX_CACHED_HOSTS:
            _hosts_by_parts[key] = host
    return host


#: ``host_of`` remembers the hosts it has seen, because building the string from ``URL.netloc``
#: costs about a microsecond per call. A process talks to few upstreams, so past this many the
#: new hosts are built each time instead of filling memory.
_MAX_CACHED_HOSTS = 1024
_hosts_by_parts: dict[tuple[str, bytes, int | None], str] = {}


def target_of(url: httpx2.URL) -> str:
    """Return the URL for logs and errors, without the user info and query string that may carry
    secrets.

    It is built from parts because ``URL.copy_with`` parses the URL again, which was the largest
    cost of the client itself in a profile of ``bench/client.py``.
    """
    path = url.raw_path.partition(b"?")[0].decode("ascii")
    return f"{url.scheme}://{url.netloc.decode('ascii')}{path}"


class CallState:
    """The rules and the history of one logical call.

    ``max_attempts`` and ``deadline_s`` override the policy for this call only.
    """

    # One is built per call, so slots keep its creation and attribute reads short.
    __slots__ = (
        "_breaker",
        "_budget",
        "_clock",
        "_deadline",
        "_started",
        "_uniform",
        "_url",
        "_wait_before_next",
        "attempts",
        "host",
        "idempotent",
        "max_attempts",
        "method",
        "policy",
    )

    def __init__(
        self,
        policy: RetryPolicy,
        request: httpx2.Request,
        *,
        hosts: HostRegistry = DEFAULT_HOSTS,
        clock: Callable[[], float] = time.monotonic,
        uniform: Callable[[], float] = random.random,
        max_attempts: int | None = None,
        deadline_s: float | None = None,
    ) -> None:
        self.policy = policy
        # The policy validated its own values, so only per-call overrides are checked here.
        if max_attempts is None:
            max_attempts = policy.max_attempts
        elif max_attempts < 1:
            raise ValueError(f"attempts must be at least 1, got {max_attempts}")
        self.max_attempts = max_attempts
        if deadline_s is None:
            deadline_s = policy.deadline_s
        elif not deadline_s > 0:
            raise ValueError(f"deadline_s must be a positive number of seconds, got {deadline_s!r}")

        self.method = request.method
        self.host = host_of(request.url)
        self.idempotent = (
            request.method in policy.idempotent_methods or IDEMPOTENCY_HEADER in request.headers
        )
        self.attempts: list[Attempt] = []
        self._url = request.url
        self._budget = hosts.budget(self.host, policy)
        self._breaker = hosts.breaker(self.host, policy)
        self._clock = clock
        self._uniform = uniform
        self._started = clock()
        self._deadline = self._started + deadline_s
        self._wait_before_next = 0.0

    @property
    def target(self) -> str:
        """URL of the call for logs and errors; see ``target_of``."""
        return target_of(self._url)

    @property
    def attempt_number(self) -> int:
        """Number of the attempt about to start (1-based)."""
        return len(self.attempts) + 1

    def elapsed(self) -> float:
        """Seconds since the call started."""
        return self._clock() - self._started

    def time_left(self) -> float:
        """Seconds until the call's deadline, never negative."""
        return max(0.0, self._deadline - self._clock())

    def monotonic_deadline(self) -> float:
        """Return the call's deadline as a ``time.monotonic`` value, for socket operations."""
        if self._clock is time.monotonic:
            return self._deadline
        return time.monotonic() + self.time_left()

    def start_attempt(self) -> dict[str, float]:
        """Check the deadline and the breaker, then return the attempt's timeouts, each clamped to
        the time left, in the form of ``httpx2.Timeout.as_dict``.

        Raises ``DeadlineExceeded`` when no time is left and ``CircuitOpen`` when the host's
        breaker rejects the attempt.
        """
        left = self.time_left()
        if left < MIN_ATTEMPT_S:
            raise self._error(DeadlineExceeded, "the deadline passed before the next attempt")
        if self._breaker is not None and not self._breaker.allow():
            retry_in = self._breaker.seconds_until_probe()
            why = f"the circuit breaker for {self.host} is open for another {retry_in:.1f}s"
            raise self._error(CircuitOpen, why, retry_in_s=retry_in)
        if not self.attempts and self._budget is not None:
            self._budget.record_first_attempt()

        connect = min(self.policy.connect_timeout_s, left)
        read = min(self.policy.read_timeout_s, left)
        return {"connect": connect, "read": read, "write": read, "pool": connect}

    def on_response(self, response: httpx2.Response) -> Decision:
        """Record a response and decide whether the call is done."""
        status = response.status_code
        self._record(str(status), status, failed=status in STATUSES_RETRYABLE_IF_IDEMPOTENT)

        verdict = parse_should_retry(response.headers) if status >= 400 else None
        if verdict is None:
            retryable = status in STATUSES_RETRYABLE_FOR_ANY_METHOD or (
                status in STATUSES_RETRYABLE_IF_IDEMPOTENT and self.idempotent
            )
        else:
            retryable = verdict
        if not retryable:
            if status in STATUSES_RETRYABLE_IF_IDEMPOTENT or verdict is False:
                why = "x-should-retry: false" if verdict is False else "not idempotent"
                log_decision(self, "returned", why, None)
            return RETURN

        hint = parse_retry_hint(response.headers)
        return self._retry_or_fail(f"status_{status}", response, hint)

    def on_failure(self, exc: httpx2.RequestError | TimeoutError) -> Decision:
        """Record a transport failure (or the deadline firing) and decide what to do."""
        kind = FailureKind.DEADLINE if isinstance(exc, TimeoutError) else classify_exception(exc)
        if kind in TIMEOUT_KINDS and self.time_left() < MIN_ATTEMPT_S:
            # The sync transport clamps every socket timeout to the deadline, so a timeout that
            # fires once no time is left is the deadline itself.
            kind = FailureKind.DEADLINE
        self._record(kind.value if kind else type(exc).__name__, None, failed=kind is not None)

        if kind is FailureKind.DEADLINE:
            return Decision(error=self._error(DeadlineExceeded, "the deadline passed mid-attempt"))
        if kind is None:
            return Decision(error=self._error(NotRetryable, f"{type(exc).__name__}: {exc}"))
        if kind not in FAILURES_BEFORE_SEND and not self.idempotent:
            reason = (
                f"{kind.value} after the request was sent, and {self.method} without an "
                f"{IDEMPOTENCY_HEADER} is not safe to repeat"
            )
            log_decision(self, "failed", "not idempotent", None)
            return Decision(error=self._error(NotRetryable, reason))

        return self._retry_or_fail(kind.value, None, None)

    def _retry_or_fail(
        self, reason: str, response: httpx2.Response | None, hint: float | None
    ) -> Decision:
        left = self.time_left()
        if len(self.attempts) >= self.max_attempts:
            why = f"{reason} on the last of {self.max_attempts} attempts"
            return self._stop(RetriesExhausted, why, response, "attempts exhausted")

        if hint is not None and (hint > self.policy.max_retry_hint_s or hint >= left):
            limit = min(self.policy.max_retry_hint_s, left)
            why = (
                f"{reason}, and the server asked to wait {hint:.3f}s, over the {limit:.3f}s allowed"
            )
            return self._stop(RetryHintTooLong, why, response, "hint too long", hint_s=hint)

        if hint is None:
            wait = full_jitter_delay(self.policy, len(self.attempts), self._uniform)
        else:
            wait = hint
        if wait >= left:
            why = f"{reason}, and the next backoff of {wait:.3f}s would end past the deadline"
            return self._stop(DeadlineExceeded, why, response, "deadline")

        if self._budget is not None and not self._budget.try_spend():
            _metrics.BUDGET_REFUSALS.labels(host=self.host).inc()
            why = f"{reason}, and the retry budget for {self.host} is exhausted"
            return self._stop(RetryBudgetExhausted, why, response, "budget exhausted")

        if is_testing():
            wait = 0.0
        self._wait_before_next = wait
        _metrics.RETRIES.labels(host=self.host, reason=reason).inc()
        log_decision(self, "retry", reason, wait)
        return Decision(retry_after_s=wait)

    def _stop(
        self,
        error_type: type[CallFailed],
        why: str,
        response: httpx2.Response | None,
        reason: str,
        **extra: Any,
    ) -> Decision:
        log_decision(self, "failed", reason, None)
        return Decision(error=self._error(error_type, why, response, **extra))

    def _record(self, outcome: str, status: int | None, *, failed: bool) -> None:
        self.attempts.append(
            Attempt(
                number=len(self.attempts) + 1,
                outcome=outcome,
                wait_s=self._wait_before_next,
                elapsed_s=self.elapsed(),
                status=status,
            )
        )
        self._wait_before_next = 0.0
        _metrics.attempts_counter(self.host, outcome).inc()
        if self._breaker is not None:
            self._breaker.record(failed)

    def _error(
        self,
        error_type: type[CallFailed],
        why: str,
        response: httpx2.Response | None = None,
        **extra: Any,
    ) -> CallFailed:
        return build_error(self, error_type, why, response, **extra)
