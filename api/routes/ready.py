from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel

from api.errors import ProblemError, ProblemType
from api.openapi import problem_responses
from api.readiness import Readiness
from api.schemas import Problem

router = APIRouter(tags=["health"])

SERVER_DRAINING = ProblemType("server-draining", "Server draining", 503)
DRAINING_DETAIL = (
    "The server received SIGTERM and is finishing in-flight requests. "
    "Send new requests to another instance."
)


class Ready(BaseModel):
    status: Literal["ready"] = "ready"


_READY = Ready()


_RESPONSES = {
    **problem_responses(),
    503: {"model": Problem, "description": "The worker is draining after SIGTERM."},
}


@router.get("/ready", responses=_RESPONSES)
async def ready(request: Request) -> Ready:
    """Report whether this worker accepts work; 503 once it is draining after SIGTERM."""
    readiness: Readiness = request.app.state.readiness
    if readiness.draining:
        raise ProblemError(SERVER_DRAINING, DRAINING_DETAIL)
    return _READY
