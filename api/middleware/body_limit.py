"""Reject request bodies that are larger than a limit or arrive too slowly."""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import BODY_TOO_LARGE, REQUEST_TIMEOUT, ProblemError, problem_response


class RequestBodyTooLarge(ProblemError):
    """Raised from ``receive`` as soon as the body read so far exceeds the limit."""

    def __init__(self, max_body_bytes: int) -> None:
        super().__init__(BODY_TOO_LARGE, too_large_detail(max_body_bytes))


class RequestBodyTimeout(ProblemError):
    """Raised from ``receive`` when the body has not fully arrived within the read timeout."""

    def __init__(self, read_timeout_s: float) -> None:
        detail = (
            f"The request body did not arrive within {read_timeout_s:g} seconds. "
            "Send the whole body without pauses."
        )
        super().__init__(REQUEST_TIMEOUT, detail)


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
    """Bound the size and the read time of request bodies: 413 past ``max_body_bytes`` and 408
    when the whole body takes longer than ``read_timeout_s`` to arrive.

    A declared Content-Length over the limit gets the 413 before any byte of the body is read.
    A chunked body is counted as the app reads it, and the read that crosses the limit raises
    ``RequestBodyTooLarge``, which the app's exception handler renders as the 413. So the api
    never keeps more than the limit plus one chunk of any body in memory. The read time starts
    at the app's first read, so a request whose body the app never reads is never timed out.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int, read_timeout_s: float) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.read_timeout_s = read_timeout_s

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
        body_complete = False
        deadline: float | None = None

        async def receive_within_limits() -> Message:
            nonlocal received, body_complete, deadline
            if body_complete:
                # Later reads only wait for the disconnect, which has no time limit.
                return await receive()

            if deadline is None:
                deadline = asyncio.get_running_loop().time() + self.read_timeout_s
            try:
                # asyncio's timeout costs a few microseconds per read, where anyio's cancel
                # scope cost about ten; the api only runs on asyncio (uvicorn, uvloop).
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError as exc:
                raise RequestBodyTimeout(self.read_timeout_s) from exc

            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise RequestBodyTooLarge(self.max_body_bytes)
                body_complete = not message.get("more_body", False)
            return message

        await self.app(scope, receive_within_limits, send)
