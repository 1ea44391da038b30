"""A bare FastAPI app with the api's two JSON routes and no middleware: the framework baseline.

The routes are ``async def`` and the bodies are Pydantic models with the same constraints as the
api's, so a valid request gets the same response bytes from both.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

NO_NUL = r"^[^\x00]*$"

app = FastAPI()


class EchoRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    message: Annotated[str, StringConstraints(max_length=1_000, pattern=NO_NUL)]


class EchoResponse(BaseModel):
    message: str


class SummarizeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    title: Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL)]
    body: Annotated[str, StringConstraints(max_length=10_000, pattern=NO_NUL)]
    priority: Annotated[int, Field(ge=1, le=5)]


SUMMARY_FIELDS = list(SummarizeRequest.model_fields)


class SummarizeResponse(BaseModel):
    field_count: int
    fields: list[str]
    title_length: int


@app.post("/echo")
async def echo(request: EchoRequest) -> EchoResponse:
    return EchoResponse(message=request.message)


@app.post("/summarize-request")
async def summarize_request(request: SummarizeRequest) -> SummarizeResponse:
    return SummarizeResponse(
        field_count=len(SUMMARY_FIELDS), fields=SUMMARY_FIELDS, title_length=len(request.title)
    )
