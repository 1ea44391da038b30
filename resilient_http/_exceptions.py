"""The client's exception hierarchy.

Every failure a caller can see is a ``ResilientHTTPError``. Exceptions from httpx2 are converted in
one place (``_classify.classify_exception``) and chained with ``from``, so the original cause stays
in the traceback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx2

    from ._attempts import Attempt


class ResilientHTTPError(Exception):
    """Base class of every error raised by this package."""


class CallFailed(ResilientHTTPError):
    """A logical call ended without a usable response.

    ``attempts`` contains one record per attempt, in order. ``response`` is the last response when
    the final attempt got one (a status that is not retried, or retries ran out on a retryable
    status).
    """

    def __init__(
        self,
        message: str,
        *,
        method: str,
        target: str,
        attempts: list[Attempt],
        response: httpx2.Response | None = None,
    ) -> None:
        super().__init__(message)
        self.method = method
        self.target = target
        self.attempts = attempts
        self.response = response

    @property
    def status_code(self) -> int | None:
        """Status of the last response, or None when no attempt got one."""
        return None if self.response is None else self.response.status_code


class RetriesExhausted(CallFailed):
    """Every allowed attempt failed with a retryable outcome."""


class DeadlineExceeded(CallFailed):
    """The call's overall deadline passed before an attempt succeeded."""


class NotRetryable(CallFailed):
    """An attempt failed in a way that must not be retried (for example a POST whose request
    already reached the server before the connection broke)."""


class RetryHintTooLong(CallFailed):
    """The server asked for a wait (``hint_s`` seconds, from Retry-After or retry-after-ms) longer
    than the policy's maximum or than the time left before the deadline."""

    def __init__(self, message: str, *, hint_s: float, **details: Any) -> None:
        super().__init__(message, **details)
        self.hint_s = hint_s


class RetryBudgetExhausted(CallFailed):
    """The upstream host's retry budget had no token left for another retry."""


class CircuitOpen(CallFailed):
    """The host's circuit breaker is open, so the call failed without sending this attempt.

    ``retry_in_s`` is the time until the breaker lets a probe through.
    """

    def __init__(self, message: str, *, retry_in_s: float, **details: Any) -> None:
        super().__init__(message, **details)
        self.retry_in_s = retry_in_s
