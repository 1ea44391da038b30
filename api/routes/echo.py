from __future__ import annotations

from fastapi import APIRouter

from api.schemas import EchoRequest, EchoResponse

router = APIRouter(tags=["echo"])


@router.post("/echo")
async def echo(request: EchoRequest) -> EchoResponse:
    """Return the submitted message unchanged."""
    return EchoResponse(message=request.message)
