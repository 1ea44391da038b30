"""Reject request bodies larger than a limit, without reading more than the limit."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import BODY_TOO_LARGE, ProblemError, problem_response


class RequestBodyTooLarge(ProblemError):
    """Raised from ``receive`` as soon as the body read so far exceeds the limit."""

    def __init__(self, max_body_bytes: int) -> None:
        super().__init__(BODY_TOO_LARGE, too_large_detail(max_body_bytes))


def too_large_detail(max_body_bytes: int) -> str:
    return f"The request body exceeds the limit of {max_body_bytes} bytes. Send a smaller body."


def declared_length(scope: Scope) -> int | None:
    """Return the request's Content-Length, or None when it is absent or not a number."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BodyLimitMiddleware:
    """Return 413 when a request body is larger than ``max_body_bytes``.

    A declared Content-Length over the limit gets the 413 before any byte of the body is read.
    A chunked body is counted as the app reads it, and the read that crosses the limit raises
    ``RequestBodyTooLarge``, which the app's exception handler renders as the 413. So the api
    never keeps more than the limit plus one chunk of any body in memory.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        length = declared_length(scope)
        if length is not None and length > self.max_body_bytes:
            detail = too_large_detail(self.max_body_bytes)
            await problem_response(BODY_TOO_LARGE, detail, scope)(scope, receive, send)
            return

        received = 0

        async def receive_within_limit() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise RequestBodyTooLarge(self.max_body_bytes)
            return message

        await self.app(scope, receive_within_limit, send)
