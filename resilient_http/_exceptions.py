"""The client's exception hierarchy.

Every failure a caller can see is a ``ResilientHTTPError``. Exceptions from httpx2 are converted in
one place (``_classify.classify_exception``) and chained with ``from``, so the original cause stays
in the traceback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx2

    from ._attempts import Attempt


class ResilientHTTPError(Exception):
    """Base class of every error raised by this package."""


class CallFailed(ResilientHTTPError):
    """A logical call ended without a usable response.

    ``attempts`` holds one record per attempt, in order. ``response`` is the last response when the
    final attempt got one (a status that is not retried, or retries ran out on a retryable status).
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
    """An attempt failed in a way that must not be retried (for example a 404, or a POST whose
    request already reached the server)."""
