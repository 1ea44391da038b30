from __future__ import annotations

from fastapi import APIRouter

from api.openapi import JSON_BODY_ERRORS, problem_responses
from api.schemas import SummarizeRequest, SummarizeResponse
from api.strict_json import StrictJSONRoute

router = APIRouter(tags=["summarize"], route_class=StrictJSONRoute)

#: The request's field names, computed once.
SUMMARY_FIELDS = list(SummarizeRequest.model_fields)


@router.post("/summarize-request", responses=problem_responses(*JSON_BODY_ERRORS))
async def summarize_request(request: SummarizeRequest) -> SummarizeResponse:
    """Describe a request: which fields it has and how long its title is."""
    return SummarizeResponse(
        field_count=len(SUMMARY_FIELDS), fields=SUMMARY_FIELDS, title_length=len(request.title)
    )
