"""Calls to the external todo API, and the mapping of their failures to problem responses.

Problem bodies name what failed in words and never contain the upstream's address. The log line
of each failure carries the full error, address included, with the request id.
"""

from __future__ import annotations

import logging
import math

import httpx2
from pydantic import ValidationError

from api.errors import (
    DEFAULT_RETRY_AFTER_S,
    TODO_NOT_FOUND,
    UPSTREAM_ERROR,
    UPSTREAM_INVALID_RESPONSE,
    UPSTREAM_TIMEOUT,
    UPSTREAM_UNAVAILABLE,
    UPSTREAM_UNREACHABLE,
    ProblemError,
)
from api.request_id import REQUEST_ID_HEADER, current_request_id
from api.schemas import Todo
from resilient_http import (
    AsyncResilientClient,
    CallFailed,
    CircuitOpen,
    DeadlineExceeded,
    FailureKind,
    NotRetryable,
    RetryBudgetExhausted,
    RetryHintTooLong,
)

logger = logging.getLogger("api")

#: Attempt outcomes that mean the upstream was too slow rather than unreachable.
_TIMEOUT_OUTCOMES = frozenset(
    {
        FailureKind.CONNECT_TIMEOUT.value,
        FailureKind.POOL_TIMEOUT.value,
        FailureKind.WRITE_TIMEOUT.value,
        FailureKind.READ_TIMEOUT.value,
        FailureKind.DEADLINE.value,
        "408",
        "504",
    }
)
#: Maximum wait the api passes on in Retry-After, in seconds.
MAX_RETRY_AFTER_S = 300


def _retry_after(seconds: float | None) -> dict[str, str]:
    if seconds is None or not math.isfinite(seconds) or seconds <= 0:
        seconds = DEFAULT_RETRY_AFTER_S
    return {"Retry-After": str(min(MAX_RETRY_AFTER_S, math.ceil(seconds)))}


def problem_for_call_failure(exc: CallFailed) -> ProblemError:
    """Map a failed upstream call to the problem the api returns.

    An open breaker, an exhausted retry budget, a too-long server-requested wait or a 429 after
    retries give 503 with Retry-After. A timeout or the deadline gives 504. Any other upstream
    status after retries, a connection failure or a broken connection gives 502.
    """
    if isinstance(exc, CircuitOpen):
        return ProblemError(
            UPSTREAM_UNAVAILABLE,
            "The todo service is failing, so calls to it are paused. Retry later.",
            headers=_retry_after(exc.retry_in_s),
        )
    if isinstance(exc, RetryBudgetExhausted | RetryHintTooLong):
        hint = exc.hint_s if isinstance(exc, RetryHintTooLong) else None
        return ProblemError(
            UPSTREAM_UNAVAILABLE,
            "The todo service is overloaded and retries are paused. Retry later.",
            headers=_retry_after(hint),
        )

    last_outcome = exc.attempts[-1].outcome if exc.attempts else ""
    if isinstance(exc, DeadlineExceeded) or last_outcome in _TIMEOUT_OUTCOMES:
        return ProblemError(
            UPSTREAM_TIMEOUT, "The todo service did not respond within the deadline."
        )
    if exc.status_code == httpx2.codes.TOO_MANY_REQUESTS:
        return ProblemError(
            UPSTREAM_UNAVAILABLE,
            "The todo service is rate-limiting the api. Retry later.",
            headers=_retry_after(None),
        )
    if exc.status_code is not None:
        return ProblemError(
            UPSTREAM_ERROR, f"The todo service failed with status {exc.status_code}."
        )
    return ProblemError(UPSTREAM_UNREACHABLE, "The todo service could not be reached.")


def todo_from_response(response: httpx2.Response, todo_id: int) -> Todo:
    """Return the todo in ``response``, or raise the ``ProblemError`` its status maps to."""
    if response.status_code == httpx2.codes.NOT_FOUND:
        raise ProblemError(TODO_NOT_FOUND, f"Todo {todo_id} does not exist.")
    if response.status_code != httpx2.codes.OK:
        raise ProblemError(
            UPSTREAM_ERROR, f"The todo service failed with status {response.status_code}."
        )

    try:
        todo = Todo.model_validate_json(response.content)
    except ValidationError as exc:
        logger.warning(
            "Invalid todo %s from the upstream: %d validation error(s)", todo_id, exc.error_count()
        )
        raise ProblemError(
            UPSTREAM_INVALID_RESPONSE, "The todo service returned a body that is not a todo."
        ) from exc
    if todo.id != todo_id:
        logger.warning("The upstream returned todo %s for todo %s", todo.id, todo_id)
        raise ProblemError(
            UPSTREAM_INVALID_RESPONSE, f"The todo service returned another todo than {todo_id}."
        )
    return todo


async def fetch_todo(client: AsyncResilientClient, todo_id: int) -> Todo:
    """Fetch todo ``todo_id``, forwarding the request id; raise ``ProblemError`` on failure."""
    request_id = current_request_id()
    headers = {REQUEST_ID_HEADER: request_id} if request_id else {}
    try:
        response = await client.get(f"/todos/{todo_id}", headers=headers)
    except NotRetryable as exc:
        # A status the client does not retry (a 404, say) may arrive as this error.
        if exc.response is None:
            logger.warning("Fetching todo %s failed: %s", todo_id, exc)
            raise problem_for_call_failure(exc) from exc
        response = exc.response
    except CallFailed as exc:
        logger.warning("Fetching todo %s failed: %s", todo_id, exc)
        raise problem_for_call_failure(exc) from exc
    return todo_from_response(response, todo_id)
