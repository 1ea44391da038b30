"""Scripted faults for tests of the resilient client.

A test scripts a key with ``PUT /faults/{key}``, calls ``/faults/{key}/call`` with any method and
reads what arrived with ``GET /faults/{key}``. While the script has calls left, each call gets the
fault: a status with headers, headers sent late, a body trickled a byte at a time, or a connection
closed in the middle of the body. Later calls get 200 with a small JSON body.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import anyio
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

MAX_FAULT_DELAY_S = 10.0
MAX_BODY_BYTES = 65_536
#: Request records kept per key; older ones are dropped first.
MAX_RECORDS_PER_KEY = 1_000
CALL_METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"]


class Fault(BaseModel):
    """A fault for the next ``times`` calls of a key; ``times`` null means every call."""

    model_config = ConfigDict(extra="forbid")

    times: int | None = Field(default=1, ge=1)
    status: int = Field(default=503, ge=100, le=599)
    headers: dict[str, str] = Field(default_factory=dict)
    delay_s: float = Field(default=0.0, ge=0, le=MAX_FAULT_DELAY_S)
    body_bytes: int = Field(default=16, ge=0, le=MAX_BODY_BYTES)
    trickle_interval_s: float = Field(default=0.0, ge=0, le=MAX_FAULT_DELAY_S)
    cut_after_bytes: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _cut_inside_body(self) -> Fault:
        if self.cut_after_bytes is not None and self.cut_after_bytes >= self.body_bytes:
            raise ValueError(
                f"cut_after_bytes must be less than body_bytes ({self.body_bytes}), "
                f"got {self.cut_after_bytes}"
            )
        return self


@dataclass
class KeyRecord:
    """The script and the request log of one key."""

    fault: Fault | None = None
    remaining: int | None = 0
    hits: int = 0
    requests: list[dict[str, object]] = field(default_factory=list)

    def next_fault(self) -> Fault | None:
        if self.fault is None:
            return None
        if self.remaining is None:
            return self.fault
        if self.remaining <= 0:
            return None
        self.remaining -= 1
        return self.fault


class BodyCut(Exception):
    """Raised inside a response body so the server closes the connection mid-body.

    uvicorn logs it as an error of the ASGI application; that log line is expected.
    """


def _records(request: Request) -> dict[str, KeyRecord]:
    records: dict[str, KeyRecord] = request.app.state.fault_records
    return records


async def script_fault(request: Request) -> Response:
    try:
        fault = Fault.model_validate_json(await request.body())
    except ValidationError as exc:
        return JSONResponse({"error": exc.errors(include_url=False, include_context=False)}, 422)
    record = _records(request).setdefault(request.path_params["key"], KeyRecord())
    record.fault = fault
    record.remaining = fault.times
    return JSONResponse({"key": request.path_params["key"], "fault": fault.model_dump()})


async def read_record(request: Request) -> Response:
    key = request.path_params["key"]
    record = _records(request).get(key, KeyRecord())
    body = {
        "key": key,
        "hits": record.hits,
        "remaining": record.remaining,
        "requests": record.requests,
    }
    return JSONResponse(body)


async def reset_record(request: Request) -> Response:
    _records(request).pop(request.path_params["key"], None)
    return Response(status_code=204)


async def _body(fault: Fault) -> AsyncIterator[bytes]:
    sent = 0
    while sent < fault.body_bytes:
        if fault.cut_after_bytes is not None and sent >= fault.cut_after_bytes:
            raise BodyCut(f"closing the connection after {sent} of {fault.body_bytes} bytes")
        if fault.trickle_interval_s:
            await anyio.sleep(fault.trickle_interval_s)
        chunk = 1 if fault.trickle_interval_s or fault.cut_after_bytes is not None else None
        size = chunk or fault.body_bytes
        yield b"x" * size
        sent += size


async def call(request: Request) -> Response:
    key = request.path_params["key"]
    record = _records(request).setdefault(key, KeyRecord())
    record.hits += 1
    record.requests.append({"method": request.method, "headers": dict(request.headers)})
    del record.requests[:-MAX_RECORDS_PER_KEY]
    await request.body()

    fault = record.next_fault()
    if fault is None:
        return JSONResponse({"key": key, "hit": record.hits})
    if fault.delay_s:
        await anyio.sleep(fault.delay_s)
    headers = {**fault.headers, "Content-Length": str(fault.body_bytes)}
    return StreamingResponse(_body(fault), status_code=fault.status, headers=headers)


ROUTES = [
    Route("/faults/{key}", script_fault, methods=["PUT"]),
    Route("/faults/{key}", read_record, methods=["GET"]),
    Route("/faults/{key}", reset_record, methods=["DELETE"]),
    Route("/faults/{key}/call", call, methods=CALL_METHODS),
]
