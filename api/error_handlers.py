"""Exception handlers that render every HTTP error of the app as a problem response."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from api.errors import (
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    VALIDATION_FAILED,
    ProblemError,
    ProblemType,
    describe_validation_errors,
    problem_response,
    problem_type_for_status,
)

#: ``detail`` for errors raised without a ProblemType, such as routing's 404 and 405.
_GENERIC_DETAILS = {
    NOT_FOUND.status: "No route matches this path. The OpenAPI document lists the routes.",
    METHOD_NOT_ALLOWED.status: (
        "This path does not accept this method. The Allow header lists the methods it accepts."
    ),
}


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    """Render a ``ProblemError`` or any other Starlette ``HTTPException`` as a problem."""
    assert isinstance(exc, HTTPException)
    if isinstance(exc, ProblemError):
        kind: ProblemType = exc.kind
        detail = exc.detail
    else:
        # The detail of a plain HTTPException comes from code this project does not control,
        # so it is replaced by a fixed sentence.
        kind = problem_type_for_status(exc.status_code)
        detail = _GENERIC_DETAILS.get(kind.status, kind.title + ".")
    return problem_response(kind, detail, request.scope, headers=exc.headers)


async def handle_validation_error(request: Request, exc: Exception) -> Response:
    """Render a request validation error as a 422 problem with a bounded ``errors`` list."""
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    issues = describe_validation_errors(errors)

    count = len(errors)
    if count == 1:
        detail = "1 value is invalid. Fix it and send the request again."
    else:
        detail = f"{count} values are invalid. Fix them and send the request again."
    if count > len(issues):
        detail += f" The first {len(issues)} are listed."
    return problem_response(VALIDATION_FAILED, detail, request.scope, errors=issues)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app``; unhandled exceptions are left to the middleware."""
    app.add_exception_handler(HTTPException, handle_http_exception)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
