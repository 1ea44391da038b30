from __future__ import annotations

from fastapi import APIRouter

from api.schemas import SummarizeRequest, SummarizeResponse

router = APIRouter(tags=["summarize"])


@router.post("/summarize-request")
async def summarize_request(request: SummarizeRequest) -> SummarizeResponse:
    """Describe a request: which fields it has and how long its title is."""
    fields = list(SummarizeRequest.model_fields)
    return SummarizeResponse(
        field_count=len(fields), fields=fields, title_length=len(request.title)
    )
