"""The structured log event of each retry decision and the final error of a failed call."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from ._exceptions import CallFailed

if TYPE_CHECKING:
    import httpx2

    from ._engine import CallState

logger = logging.getLogger("resilient_http")

#: Message of the log record for each decision taken after a retryable outcome.
RETRY_DECISION_EVENT = "retry_decision"


def log_decision(call: CallState, decision: str, reason: str, wait_s: float | None) -> None:
    """Log one decision after an attempt that failed or asked for a retry.

    ``decision`` is ``retry`` (a retry is scheduled), ``failed`` (the call stops with an error) or
    ``returned`` (the call returns the failed response to the caller).
    """
    last = call.attempts[-1]
    logger.info(
        RETRY_DECISION_EVENT,
        extra={
            "target": call.target,
            "method": call.method,
            "attempt": last.number,
            "outcome": last.outcome,
            "decision": decision,
            "reason": reason,
            "wait_s": None if wait_s is None else round(wait_s, 4),
            "time_left_s": round(call.time_left(), 4),
        },
    )


def build_error(
    call: CallState,
    error_type: type[CallFailed],
    why: str,
    response: httpx2.Response | None = None,
    **extra: Any,
) -> CallFailed:
    """Build the call's final error with a one-line message: what was tried and why it stopped."""
    count = len(call.attempts)
    noun = "attempt" if count == 1 else "attempts"
    outcomes = ", ".join(attempt.outcome for attempt in call.attempts)
    tried = f" ({outcomes})" if outcomes else ""
    message = (
        f"{call.method} {call.target} failed after {count} {noun}{tried} "
        f"in {call.elapsed():.3f}s: {why}"
    )
    return error_type(
        message,
        method=call.method,
        target=call.target,
        attempts=list(call.attempts),
        response=response,
        **extra,
    )
