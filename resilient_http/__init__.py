"""A resilient HTTP client on httpx2: one deadline per call, bounded retries with full-jitter
backoff, server hints, idempotency rules, a retry budget and a circuit breaker per host."""

from ._async_client import AsyncResilientClient
from ._attempts import Attempt, FailureKind
from ._breaker import BreakerState, CircuitBreaker
from ._budget import RetryBudget
from ._client import (
    ATTEMPT_HEADER,
    DEFAULT_KEEPALIVE_EXPIRY_S,
    ResilientClient,
    attempts_of,
)
from ._engine import IDEMPOTENCY_HEADER
from ._events import RETRY_DECISION_EVENT
from ._exceptions import (
    CallFailed,
    CircuitOpen,
    DeadlineExceeded,
    NotRetryable,
    ResilientHTTPError,
    RetriesExhausted,
    RetryBudgetExhausted,
    RetryHintTooLong,
)
from ._hints import parse_retry_hint, parse_should_retry
from ._hosts import DEFAULT_HOSTS, HostRegistry
from ._policy import IDEMPOTENT_METHODS, RetryPolicy
from ._testing import no_retry_waits, set_testing

__all__ = [
    "ATTEMPT_HEADER",
    "DEFAULT_HOSTS",
    "DEFAULT_KEEPALIVE_EXPIRY_S",
    "IDEMPOTENCY_HEADER",
    "IDEMPOTENT_METHODS",
    "RETRY_DECISION_EVENT",
    "AsyncResilientClient",
    "Attempt",
    "BreakerState",
    "CallFailed",
    "CircuitBreaker",
    "CircuitOpen",
    "DeadlineExceeded",
    "FailureKind",
    "HostRegistry",
    "NotRetryable",
    "ResilientClient",
    "ResilientHTTPError",
    "RetriesExhausted",
    "RetryBudget",
    "RetryBudgetExhausted",
    "RetryHintTooLong",
    "RetryPolicy",
    "attempts_of",
    "no_retry_waits",
    "parse_retry_hint",
    "parse_should_retry",
    "set_testing",
]
