"""Log one access line and record the metrics of every HTTP request."""

from __future__ import annotations

import logging
import time
from typing import BinaryIO

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.metrics import IN_FLIGHT, UNMATCHED_ROUTE, RequestMetrics
from api.request_id import current_request_id
from startup.logging import json_line_logger

ACCESS_LOGGER_NAME = "api.access"
#: The standard library's logger of the access lines. It writes nothing itself: its level, set
#: from LOG_LEVEL with every other logger's, decides whether the middleware writes the line.
access_logger = logging.getLogger(ACCESS_LOGGER_NAME)


def route_template(scope: Scope) -> str:
    """Return the path template of the route that handled the request, such as
    ``/todos/{id}``, or ``UNMATCHED_ROUTE`` when routing found none."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    return template if isinstance(template, str) else UNMATCHED_ROUTE


def client_address(scope: Scope) -> str | None:
    client = scope.get("client")
    if not client:
        return None
    return f"{client[0]}:{client[1]}"


class AccessLogMiddleware:
    """Write one ``api.access`` JSON line per request and count it in the request metrics.

    The line has ``method``, ``path`` (without the query string, which may carry secrets),
    ``route``, ``status``, ``duration_ms``, ``request_id`` and ``client``, and goes to standard
    output, or to ``file`` when given, through ``startup.logging.json_line_logger``. It is written
    when ``access_logger`` is enabled for INFO. The middleware must sit inside
    ``RequestIdMiddleware``, which binds the id, and outside ``UnhandledErrorMiddleware``, so a
    500 that middleware sends is logged with its status. Routing sets ``scope["route"]`` on the
    same scope dictionary, so the template is read after the app returns.
    """

    def __init__(
        self, app: ASGIApp, metrics: RequestMetrics | None = None, file: BinaryIO | None = None
    ) -> None:
        self.app = app
        self.metrics = metrics or RequestMetrics()
        self.lines = json_line_logger(ACCESS_LOGGER_NAME, file)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = time.perf_counter()
        # Stays 500 when the app raises before it starts a response.
        status = 500

        async def send_recording_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        IN_FLIGHT.started()
        try:
            await self.app(scope, receive, send_recording_status)
        finally:
            IN_FLIGHT.finished()
            self._record(scope, status, time.perf_counter() - started)

    def _record(self, scope: Scope, status: int, duration_s: float) -> None:
        method: str = scope["method"]
        route = route_template(scope)
        self.metrics.record(method, route, status, duration_s)
        if not access_logger.isEnabledFor(logging.INFO):
            return

        path: str = scope["path"]
        self.lines.info(
            f"{method} {path} {status}",
            method=method,
            path=path,
            route=route,
            status=status,
            duration_ms=round(duration_s * 1000, 3),
            request_id=current_request_id(),
            client=client_address(scope),
        )
