"""Error responses: RFC 9457 problem details, sent as ``application/problem+json``.

Every error the api sends is built here, so all of them have the same members: ``type``,
``title``, ``status``, ``detail``, ``instance`` and ``request_id``. A 422 adds ``errors``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import Scope

from api.request_id import current_request_id

PROBLEM_MEDIA_TYPE = "application/problem+json"
#: Maximum length of the request path copied into ``instance``. Longer paths are cut, so the
#: body stays small.
MAX_INSTANCE_LENGTH = 256
#: Most validation errors listed in one 422; ``detail`` gives the full count.
MAX_LISTED_ERRORS = 10
#: Most characters of a submitted value (or of a field name) copied into an error.
MAX_EXCERPT_LENGTH = 40
#: Default ``Retry-After`` in seconds when the upstream is unavailable and gave no wait.
DEFAULT_RETRY_AFTER_S = 5


@dataclass(frozen=True, slots=True)
class ProblemType:
    """A kind of problem: its ``type`` URI reference, its fixed ``title`` and its status.

    The type URIs are relative references that name the kind. They are identifiers only and are
    not served; docs/errors.md describes each one.
    """

    slug: str
    title: str
    status: int

    @property
    def uri(self) -> str:
        return f"/problems/{self.slug}"


INVALID_JSON = ProblemType("invalid-json", "Invalid JSON", 400)
NOT_FOUND = ProblemType("not-found", "Not found", 404)
METHOD_NOT_ALLOWED = ProblemType("method-not-allowed", "Method not allowed", 405)
REQUEST_TIMEOUT = ProblemType("request-timeout", "Request timeout", 408)
BODY_TOO_LARGE = ProblemType("body-too-large", "Request body too large", 413)
UNSUPPORTED_MEDIA_TYPE = ProblemType("unsupported-media-type", "Unsupported media type", 415)
VALIDATION_FAILED = ProblemType("validation-failed", "Request validation failed", 422)
TOO_MANY_REQUESTS = ProblemType("too-many-requests", "Too many requests", 429)
INTERNAL_ERROR = ProblemType("internal-error", "Internal server error", 500)
TODO_NOT_FOUND = ProblemType("todo-not-found", "Todo not found", 404)
UPSTREAM_UNREACHABLE = ProblemType("upstream-unreachable", "Upstream unreachable", 502)
UPSTREAM_ERROR = ProblemType("upstream-error", "Upstream error", 502)
UPSTREAM_INVALID_RESPONSE = ProblemType(
    "upstream-invalid-response", "Invalid upstream response", 502
)
UPSTREAM_UNAVAILABLE = ProblemType("upstream-unavailable", "Upstream unavailable", 503)
UPSTREAM_NOT_CONFIGURED = ProblemType("upstream-not-configured", "Upstream not configured", 503)
UPSTREAM_TIMEOUT = ProblemType("upstream-timeout", "Upstream timed out", 504)

#: The problem type of an HTTP error raised without one (routing's 404 and 405, for example).
PROBLEM_TYPES_BY_STATUS = {
    kind.status: kind
    for kind in (
        INVALID_JSON,
        NOT_FOUND,
        METHOD_NOT_ALLOWED,
        REQUEST_TIMEOUT,
        BODY_TOO_LARGE,
        UNSUPPORTED_MEDIA_TYPE,
        VALIDATION_FAILED,
        TOO_MANY_REQUESTS,
        INTERNAL_ERROR,
    )
}


class ProblemError(HTTPException):
    """An error that the api turns into a problem response of type ``kind``.

    It subclasses Starlette's ``HTTPException``, so FastAPI re-raises it unchanged even from its
    body parsing, and the exception handlers render it.
    """

    def __init__(
        self, kind: ProblemType, detail: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(status_code=kind.status, detail=detail, headers=headers)
        self.kind = kind


def problem_type_for_status(status: int) -> ProblemType:
    """Return the problem type for ``status``, falling back to one titled with its reason."""
    kind = PROBLEM_TYPES_BY_STATUS.get(status)
    if kind is not None:
        return kind
    phrase = HTTPStatus(status).phrase
    return ProblemType(phrase.lower().replace(" ", "-"), phrase, status)


def instance_of(scope: Scope) -> str:
    """Return the request path for ``instance``, cut to ``MAX_INSTANCE_LENGTH`` characters."""
    path = str(scope.get("root_path", "")) + str(scope.get("path", ""))
    return path[:MAX_INSTANCE_LENGTH]


def problem_response(
    kind: ProblemType,
    detail: str,
    scope: Scope,
    *,
    headers: Mapping[str, str] | None = None,
    errors: Sequence[Mapping[str, Any]] | None = None,
) -> Response:
    """Build the problem response for one occurrence of ``kind``."""
    body: dict[str, Any] = {
        "type": kind.uri,
        "title": kind.title,
        "status": kind.status,
        "detail": detail,
        "instance": instance_of(scope),
        "request_id": current_request_id() or "",
    }
    if errors is not None:
        body["errors"] = errors
    # ensure_ascii escapes every non-ASCII character, lone surrogates from a malformed path
    # included, so the ASCII encoding below cannot raise.
    content = json.dumps(body, ensure_ascii=True, separators=(",", ":")).encode("ascii")
    return Response(
        content, status_code=kind.status, headers=headers, media_type=PROBLEM_MEDIA_TYPE
    )


def excerpt(value: object) -> str | None:
    """Return a short excerpt of a submitted scalar value, or None for objects and arrays.

    Strings are cut to ``MAX_EXCERPT_LENGTH`` characters, so an error never repeats a large input.
    """
    if isinstance(value, str):
        return value if len(value) <= MAX_EXCERPT_LENGTH else value[:MAX_EXCERPT_LENGTH] + "..."
    if value is None or isinstance(value, bool | int | float):
        return json.dumps(value)[:MAX_EXCERPT_LENGTH]
    return None


def describe_validation_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Convert Pydantic errors to bounded ``{loc, msg, type, input}`` entries.

    Only the first ``MAX_LISTED_ERRORS`` are kept, field names from the input are cut to
    ``MAX_EXCERPT_LENGTH`` characters, and ``input`` is an excerpt, so the size of the result
    does not grow with the size of the request.
    """
    issues = []
    for error in errors[:MAX_LISTED_ERRORS]:
        loc = [
            part if isinstance(part, int) else str(part)[:MAX_EXCERPT_LENGTH]
            for part in error["loc"]
        ]
        issue: dict[str, Any] = {"loc": loc, "msg": str(error["msg"]), "type": str(error["type"])}
        value = None if error["type"] == "missing" else excerpt(error.get("input"))
        if value is not None:
            issue["input"] = value
        issues.append(issue)
    return issues
