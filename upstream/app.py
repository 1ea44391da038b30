"""Routes of the stand-in: JSONPlaceholder's ``/todos/{id}`` and httpbin's ``/delay`` and
``/status``, in the same response shapes."""

from __future__ import annotations

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from upstream.faults import ROUTES as FAULT_ROUTES

#: httpbin caps ``/delay`` at ten seconds; so does the stand-in.
MAX_DELAY_S = 10.0
TODO_COUNT = 200


def _todo(todo_id: int) -> dict[str, object]:
    return {
        "userId": (todo_id - 1) // 20 + 1,
        "id": todo_id,
        "title": f"todo number {todo_id}",
        "completed": todo_id % 3 == 0,
    }


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def todo(request: Request) -> Response:
    todo_id: int = request.path_params["todo_id"]
    if not 1 <= todo_id <= TODO_COUNT:
        return JSONResponse({}, status_code=404)
    return JSONResponse(_todo(todo_id))


def _httpbin_echo(request: Request) -> dict[str, object]:
    client = request.client
    return {
        "args": dict(request.query_params),
        "data": "",
        "files": {},
        "form": {},
        "headers": dict(request.headers),
        "origin": client.host if client else "",
        "url": str(request.url),
    }


async def delay(request: Request) -> Response:
    seconds = min(float(request.path_params["seconds"]), MAX_DELAY_S)
    await anyio.sleep(seconds)
    return JSONResponse(_httpbin_echo(request))


async def status(request: Request) -> Response:
    code: int = request.path_params["code"]
    if not 100 <= code <= 599:
        return JSONResponse({"error": f"status must be between 100 and 599, got {code}"}, 400)
    return Response(status_code=code)


def create_app() -> Starlette:
    """Build the stand-in application, with the scripted faults of ``upstream.faults``."""
    app = Starlette(
        routes=[
            Route("/health", health),
            Route("/todos/{todo_id:int}", todo),
            Route("/delay/{seconds:float}", delay),
            Route("/delay/{seconds:int}", delay),
            Route("/status/{code:int}", status),
            *FAULT_ROUTES,
        ]
    )
    app.state.fault_records = {}
    return app
