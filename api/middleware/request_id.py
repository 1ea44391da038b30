"""Give every request an id and return it on every response."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.request_id import (
    REQUEST_ID_HEADER_RAW,
    bind_request_id,
    choose_request_id,
    unbind_request_id,
)


class RequestIdMiddleware:
    """Bind the request id for the duration of the request and add ``X-Request-ID`` to the
    response.

    It must be the outermost middleware of the api, so even a 500 or a 413 sent by another
    middleware carries the id.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        sent_id = None
        for name, value in scope["headers"]:
            if name == REQUEST_ID_HEADER_RAW:
                sent_id = value
                break
        request_id = choose_request_id(sent_id)
        encoded_id = request_id.encode("ascii")

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                # The api never sets this header itself, so appending cannot duplicate it.
                message["headers"] = [
                    *message.get("headers", []),
                    (REQUEST_ID_HEADER_RAW, encoded_id),
                ]
            await send(message)

        token = bind_request_id(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            unbind_request_id(token)
