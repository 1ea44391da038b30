"""Request and response bodies of the api."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """A request body: unknown fields and lax type coercion (``"1"`` for 1) are rejected."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class EchoRequest(StrictModel):
    message: str


class EchoResponse(BaseModel):
    message: str


class SummarizeRequest(StrictModel):
    title: str
    body: str
    priority: int


class SummarizeResponse(BaseModel):
    field_count: int
    fields: list[str]
    title_length: int
