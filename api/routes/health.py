from __future__ import annotations

from fastapi import APIRouter

from api.openapi import problem_responses
from api.schemas import Health

router = APIRouter(tags=["health"])

_HEALTH = Health()


@router.get("/health", responses=problem_responses())
async def health() -> Health:
    """Report that the process is alive; it checks no dependency."""
    return _HEALTH
