"""Request and response bodies of the api."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

#: Maximum length of ``message`` accepted by ``POST /echo``, in characters.
MAX_MESSAGE_LENGTH = 1_000
#: Maximum length of ``title`` accepted by ``POST /summarize-request``, in characters.
MAX_TITLE_LENGTH = 200
#: Maximum length of ``body`` accepted by ``POST /summarize-request``, in characters.
MAX_BODY_LENGTH = 10_000
MIN_PRIORITY = 1
MAX_PRIORITY = 5
#: Maximum todo id the api requests from the external API (the largest 32-bit signed integer).
MAX_TODO_ID = 2**31 - 1

#: Matches text without NUL characters. NUL is valid JSON (``"\u0000"``), but many stores and C
#: libraries truncate at it, so the api rejects it with a 422.
NO_NUL_PATTERN = r"^[^\x00]*$"


def bounded_text(max_length: int) -> StringConstraints:
    """Build the constraints of a text field: at most ``max_length`` characters and no NUL."""
    return StringConstraints(max_length=max_length, pattern=NO_NUL_PATTERN)


Message = Annotated[str, bounded_text(MAX_MESSAGE_LENGTH)]
Title = Annotated[str, bounded_text(MAX_TITLE_LENGTH)]
Text = Annotated[str, bounded_text(MAX_BODY_LENGTH)]
Priority = Annotated[int, Field(ge=MIN_PRIORITY, le=MAX_PRIORITY)]


class StrictModel(BaseModel):
    """A request body: unknown fields and lax type coercion (``"1"`` for 1) are rejected."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class EchoRequest(StrictModel):
    message: Message


class EchoResponse(BaseModel):
    message: str


class SummarizeRequest(StrictModel):
    title: Title
    body: Text
    priority: Priority


class SummarizeResponse(BaseModel):
    field_count: int
    fields: list[str]
    title_length: int


class Todo(BaseModel):
    """A todo item as the external API (JSONPlaceholder's shape) returns it.

    Strict, so an upstream that sends ``"1"`` for an id or ``"false"`` for a flag is reported as
    an invalid upstream payload instead of being passed on.
    """

    model_config = ConfigDict(strict=True, populate_by_name=True, serialize_by_alias=True)

    user_id: int = Field(alias="userId")
    id: int
    title: str
    completed: bool


class ValidationIssue(BaseModel):
    """One reason a request failed validation."""

    loc: list[str | int] = Field(description="Where the invalid value is, e.g. body, title.")
    msg: str
    type: str = Field(description="Pydantic's error type, e.g. missing or int_type.")
    input: str | None = Field(
        default=None,
        description="A short JSON-escaped excerpt of the submitted value, when it is a scalar.",
    )


class Problem(BaseModel):
    """An error response (RFC 9457 problem details), sent as ``application/problem+json``."""

    type: str = Field(description="A URI reference naming the kind of problem.")
    title: str = Field(description="A short phrase that is the same for every problem of a type.")
    status: int
    detail: str = Field(description="What went wrong in this occurrence and what to do next.")
    instance: str = Field(description="The request path.")
    request_id: str = Field(description="The request's id, also sent as X-Request-ID.")


class ValidationProblem(Problem):
    """A 422 problem with one entry per invalid value (at most ``api.errors.MAX_LISTED_ERRORS``)."""

    errors: list[ValidationIssue]
