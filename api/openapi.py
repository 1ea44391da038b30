"""The OpenAPI document: error responses as problem details, and docs served without internet."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.errors import PROBLEM_MEDIA_TYPE
from api.schemas import Problem, ValidationProblem

#: Errors of every route that takes a JSON body.
JSON_BODY_ERRORS = (400, 408, 413, 415, 422)

_DESCRIPTIONS = {
    400: "The body is not strict JSON.",
    404: "Not found.",
    408: "The body did not arrive within BODY_READ_TIMEOUT_S.",
    413: "The body is larger than MAX_BODY_BYTES.",
    415: "The body is not sent as application/json.",
    422: "The JSON does not match the schema.",
    500: "The server failed; the body carries only the request id.",
    502: "The upstream failed or returned an invalid response.",
    503: "The upstream is unavailable or not configured.",
    504: "The upstream timed out.",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Document ``statuses`` and 500 as problem responses, for a route's ``responses``."""
    return {
        status: {
            "model": ValidationProblem if status == 422 else Problem,
            "description": _DESCRIPTIONS[status],
        }
        for status in (*statuses, 500)
    }


def _serve_errors_as_problems(document: dict[str, Any]) -> None:
    """Move the schema of every 4xx and 5xx response to ``application/problem+json``.

    FastAPI documents every response model under ``application/json``; error responses are
    sent as ``application/problem+json``.
    """
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            for status, response in operation.get("responses", {}).items():
                if not status.isdigit() or int(status) < 400:
                    continue
                content = response.get("content", {})
                schema = content.pop("application/json", {}).get("schema")
                if schema is not None:
                    content[PROBLEM_MEDIA_TYPE] = {"schema": schema}
                    response["content"] = content


def openapi_builder(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """Return a replacement for ``app.openapi`` that builds the document once, on first use."""

    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            _serve_errors_as_problems(document)
            app.openapi_schema = document
        return app.openapi_schema

    return build
