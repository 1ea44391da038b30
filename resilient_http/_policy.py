"""The retry policy: one immutable object that defines how a logical call may be retried."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_MAX_ATTEMPTS = 3
DEFAULT_DEADLINE_S = 10.0
DEFAULT_CONNECT_TIMEOUT_S = 2.0
DEFAULT_READ_TIMEOUT_S = 5.0
DEFAULT_BACKOFF_BASE_S = 0.1
DEFAULT_BACKOFF_CAP_S = 2.0
#: Maximum wait in seconds that a server hint (Retry-After, retry-after-ms) may request.
DEFAULT_MAX_RETRY_HINT_S = 30.0
#: Retries may add this fraction on top of recent first attempts to one host.
DEFAULT_BUDGET_RATIO = 0.1
#: Retries the budget allows with no recent first attempts. Five covers one call at the default
#: three attempts twice over.
DEFAULT_BUDGET_RESERVE = 5.0
DEFAULT_BREAKER_OPEN_S = 30.0

#: Methods that RFC 9110 defines as idempotent, so a repeat has the same effect as one request.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})

#: Statuses that mean the server did not act on the request, so every method may retry them.
STATUSES_RETRYABLE_FOR_ANY_METHOD = frozenset({408, 429})

#: Statuses that may hide a half-done action, so only idempotent requests retry them.
STATUSES_RETRYABLE_IF_IDEMPOTENT = frozenset({500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How many times, for how long and on what a logical call is retried.

    ``deadline_s`` bounds the whole call: every attempt, every body read and every backoff sleep.
    ``budget_*`` set the retry budget of each upstream host. The first client that reaches a host
    in a process fixes that host's budget and breaker settings. ``breaker_threshold`` enables the
    circuit breaker: after that many consecutive failed attempts to a host, calls to it fail at
    once for ``breaker_open_s`` seconds, then one probe call decides whether it closes again.
    """

    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    deadline_s: float = DEFAULT_DEADLINE_S
    connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S
    read_timeout_s: float = DEFAULT_READ_TIMEOUT_S
    backoff_base_s: float = DEFAULT_BACKOFF_BASE_S
    backoff_cap_s: float = DEFAULT_BACKOFF_CAP_S
    max_retry_hint_s: float = DEFAULT_MAX_RETRY_HINT_S
    idempotent_methods: frozenset[str] = field(default=IDEMPOTENT_METHODS)
    budget_enabled: bool = True
    budget_ratio: float = DEFAULT_BUDGET_RATIO
    budget_reserve: float = DEFAULT_BUDGET_RESERVE
    breaker_threshold: int | None = None
    breaker_open_s: float = DEFAULT_BREAKER_OPEN_S

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {self.max_attempts}")
        for name in ("deadline_s", "connect_timeout_s", "read_timeout_s", "breaker_open_s"):
            value = getattr(self, name)
            if not value > 0:
                raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
        for name in ("backoff_base_s", "backoff_cap_s", "max_retry_hint_s"):
            value = getattr(self, name)
            if not value >= 0:
                raise ValueError(f"{name} must not be negative, got {value!r}")
        if not (self.budget_ratio >= 0 and self.budget_reserve >= 0):
            raise ValueError(
                "budget_ratio and budget_reserve must not be negative, "
                f"got {self.budget_ratio!r} and {self.budget_reserve!r}"
            )
        if self.breaker_threshold is not None and self.breaker_threshold < 1:
            raise ValueError(
                f"breaker_threshold must be at least 1 or None, got {self.breaker_threshold}"
            )
