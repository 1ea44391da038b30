"""A resilient HTTP client on httpx2: one deadline per call, bounded retries with full-jitter
backoff, and idempotency rules that keep retries safe."""

from ._attempts import Attempt, FailureKind
from ._client import (
    ATTEMPT_HEADER,
    AsyncResilientClient,
    ResilientClient,
    attempts_of,
)
from ._exceptions import (
    CallFailed,
    DeadlineExceeded,
    NotRetryable,
    ResilientHTTPError,
    RetriesExhausted,
)
from ._policy import IDEMPOTENT_METHODS, RetryPolicy

__all__ = [
    "ATTEMPT_HEADER",
    "IDEMPOTENT_METHODS",
    "AsyncResilientClient",
    "Attempt",
    "CallFailed",
    "DeadlineExceeded",
    "FailureKind",
    "NotRetryable",
    "ResilientClient",
    "ResilientHTTPError",
    "RetriesExhausted",
    "RetryPolicy",
    "attempts_of",
]
