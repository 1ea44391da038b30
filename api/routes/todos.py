from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from api.errors import UPSTREAM_NOT_CONFIGURED, ProblemError
from api.openapi import problem_responses
from api.schemas import MAX_TODO_ID, Todo
from api.strict_json import StrictJSONRoute
from api.upstream import fetch_todo

router = APIRouter(tags=["todos"], route_class=StrictJSONRoute)

# The path parameter is {id}, as in the docs and the error locations. The Python name differs
# so that it does not hide the built-in id.
TodoId = Annotated[int, Path(alias="id", ge=1, le=MAX_TODO_ID, description="The todo's id.")]


@router.get("/todos/{id}", responses=problem_responses(404, 422, 502, 503, 504))
async def get_todo(todo_id: TodoId, request: Request) -> Todo:
    """Fetch a todo from the external API, retried within a deadline, and validate it."""
    client = request.app.state.todo_client
    if client is None:
        raise ProblemError(
            UPSTREAM_NOT_CONFIGURED,
            "The todo service is not configured. Set EXTERNAL_API_URL and restart the api.",
        )
    return await fetch_todo(client, todo_id)
