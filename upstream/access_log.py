"""One JSON access line per request to the stand-in, with the caller's request id."""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

access_logger = logging.getLogger("upstream.access")

REQUEST_ID_HEADER_RAW = b"x-request-id"
MAX_REQUEST_ID_LENGTH = 128


class AccessLogMiddleware:
    """Write one ``upstream.access`` record per request.

    The record has ``method``, ``path``, ``status``, ``duration_ms``, ``client`` and, when the
    request carried an ``X-Request-ID`` header, ``request_id``, so one call can be followed
    from the caller through the api to here.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = time.perf_counter()
        status = 500

        async def send_recording_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_recording_status)
        finally:
            self._log(scope, status, time.perf_counter() - started)

    def _log(self, scope: Scope, status: int, duration_s: float) -> None:
        fields: dict[str, object] = {
            "method": scope["method"],
            "path": scope["path"],
            "status": status,
            "duration_ms": round(duration_s * 1000, 3),
        }
        client = scope.get("client")
        if client:
            fields["client"] = f"{client[0]}:{client[1]}"
        for name, value in scope["headers"]:
            if name == REQUEST_ID_HEADER_RAW:
                # Cut, because the header comes from the client unchecked.
                fields["request_id"] = value[:MAX_REQUEST_ID_LENGTH].decode("latin-1")
                break
        access_logger.info("%s %s %d", scope["method"], scope["path"], status, extra=fields)
