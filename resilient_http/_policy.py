"""The retry policy: one immutable object that says how a logical call may be retried."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_MAX_ATTEMPTS = 3
DEFAULT_DEADLINE_S = 10.0
DEFAULT_CONNECT_TIMEOUT_S = 2.0
DEFAULT_READ_TIMEOUT_S = 5.0
DEFAULT_BACKOFF_BASE_S = 0.1
DEFAULT_BACKOFF_CAP_S = 2.0

#: Methods that RFC 9110 defines as idempotent, so a repeat has the same effect as one request.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})

#: Statuses that say the server did not act on the request, so every method may retry them.
STATUSES_RETRYABLE_FOR_ANY_METHOD = frozenset({408, 429})

#: Statuses that may hide a half-done action, so only idempotent requests retry them.
STATUSES_RETRYABLE_IF_IDEMPOTENT = frozenset({500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How many times, for how long and on what a logical call is retried.

    ``deadline_s`` bounds the whole call: every attempt, every body read and every backoff sleep.
    """

    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    deadline_s: float = DEFAULT_DEADLINE_S
    connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S
    read_timeout_s: float = DEFAULT_READ_TIMEOUT_S
    backoff_base_s: float = DEFAULT_BACKOFF_BASE_S
    backoff_cap_s: float = DEFAULT_BACKOFF_CAP_S
    idempotent_methods: frozenset[str] = field(default=IDEMPOTENT_METHODS)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {self.max_attempts}")
        for name in ("deadline_s", "connect_timeout_s", "read_timeout_s"):
            value = getattr(self, name)
            if not value > 0:
                raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
        if self.backoff_base_s < 0 or self.backoff_cap_s < 0:
            raise ValueError(
                "backoff_base_s and backoff_cap_s must not be negative, "
                f"got {self.backoff_base_s!r} and {self.backoff_cap_s!r}"
            )
