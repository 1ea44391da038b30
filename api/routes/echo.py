from __future__ import annotations

from fastapi import APIRouter

from api.openapi import JSON_BODY_ERRORS, problem_responses
from api.schemas import EchoRequest, EchoResponse
from api.strict_json import StrictJSONRoute

router = APIRouter(tags=["echo"], route_class=StrictJSONRoute)


@router.post("/echo", responses=problem_responses(*JSON_BODY_ERRORS))
async def echo(request: EchoRequest) -> EchoResponse:
    """Return the submitted message unchanged."""
    return EchoResponse(message=request.message)
