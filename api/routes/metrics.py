from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST

from api.metrics import IN_FLIGHT, exposition_registry, render_metrics

router = APIRouter(tags=["health"])

# Built once per worker: the multiprocess variable is set before any worker starts.
_registry = exposition_registry()


@router.get("/metrics", include_in_schema=False)
async def metrics() -> Response:
    """Return the server's metrics in the Prometheus text format."""
    # The gauge would count this request only after the current loop iteration.
    IN_FLIGHT.publish()
    return Response(render_metrics(_registry), media_type=CONTENT_TYPE_LATEST)
