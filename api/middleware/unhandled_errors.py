"""Turn an unhandled exception into a 500 problem and log its traceback once."""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import INTERNAL_ERROR, problem_response
from api.request_id import current_request_id

logger = logging.getLogger("api")

INTERNAL_ERROR_DETAIL = (
    "The server failed to handle the request. Report the request_id if it happens again."
)


class UnhandledErrorMiddleware:
    """Catch what no exception handler took, log it with the request id and send a 500.

    The exception is not re-raised, so the server does not log the traceback a second time, and
    the body never contains exception text. If the response had already started, the log line is
    all that can be done: the server then closes the connection mid-response.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        response_started = False

        async def send_tracking_start(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, receive, send_tracking_start)
        except Exception:
            logger.exception(
                "Unhandled error in %s %s (request_id=%s)",
                scope["method"],
                scope["path"],
                current_request_id(),
            )
            if not response_started:
                response = problem_response(INTERNAL_ERROR, INTERNAL_ERROR_DETAIL, scope)
                await response(scope, receive, send)
