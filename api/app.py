"""The ASGI application."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import BinaryIO

import httpx2
from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig
from fastapi_offline import FastAPIOffline

from api.error_handlers import install_error_handlers
from api.middleware.access_log import AccessLogMiddleware
from api.middleware.body_limit import BodyLimitMiddleware
from api.middleware.json_fast_path import JSONFastPathMiddleware
from api.middleware.request_id import RequestIdMiddleware
from api.middleware.unhandled_errors import UnhandledErrorMiddleware
from api.openapi import openapi_builder
from api.readiness import Readiness, lifespan_with_readiness
from api.routes import echo, health, metrics, ready, summarize, todos
from api.settings import Settings
from api.strict_json import decode_json_body
from resilient_http import AsyncResilientClient, RetryPolicy
from startup.settings import load_settings

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]

#: FastAPI's built-in OpenTelemetry bridge, switched off. The api reports through Prometheus
#: and JSON logs and installs no OpenTelemetry SDK, yet with the bridge on FastAPI looks up the
#: global tracer, meter and logger providers on every request.
OPENTELEMETRY_OFF: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


def todo_client_lifespan(
    settings: Settings, transport: httpx2.AsyncBaseTransport | None
) -> Lifespan:
    """Build the lifespan that opens one todo client per worker and closes it at shutdown.

    Without EXTERNAL_API_URL there is no client, and ``GET /todos/{id}`` returns 503.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.external_api_url is None:
            app.state.todo_client = None
            yield
            return

        client = AsyncResilientClient(
            str(settings.external_api_url),
            policy=RetryPolicy(deadline_s=settings.upstream_deadline_s),
            transport=transport,
        )
        app.state.todo_client = client
        try:
            yield
        finally:
            await client.aclose()

    return lifespan


def create_app(
    settings: Settings | None = None,
    *,
    upstream_transport: httpx2.AsyncBaseTransport | None = None,
    access_log_file: BinaryIO | None = None,
) -> FastAPI:
    """Build the application from ``settings``, or from the environment when none are given.

    ``upstream_transport`` replaces the network for calls to EXTERNAL_API_URL (tests use an
    ``httpx2.MockTransport``). ``access_log_file`` takes the access lines instead of the
    standard output that is current when the app starts.
    """
    settings = settings or load_settings(Settings)
    readiness = Readiness()
    lifespan = lifespan_with_readiness(
        todo_client_lifespan(settings, upstream_transport), readiness
    )
    if settings.docs_enabled:
        # The same FastAPI app, with /docs and /redoc loading their scripts and styles from
        # the api itself (fastapi-offline's copies) instead of a CDN.
        app = FastAPIOffline(
            title=settings.app_name, lifespan=lifespan, telemetry=OPENTELEMETRY_OFF
        )
    else:
        app = FastAPI(
            title=settings.app_name,
            lifespan=lifespan,
            telemetry=OPENTELEMETRY_OFF,
            docs_url=None,
            redoc_url=None,
            openapi_url=None,
        )
    app.state.settings = settings
    app.state.todo_client = None
    app.state.readiness = readiness
    app.openapi = openapi_builder(app)  # type: ignore[method-assign]

    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(ready.router)
    app.include_router(metrics.router)
    app.include_router(echo.router)
    app.include_router(summarize.router)
    app.include_router(todos.router)

    # add_middleware puts each new middleware outside the previous ones, so the request id
    # wraps everything and even a 413 or a 500 carries it. The fast path is innermost, so all
    # of the api's middleware also runs for the requests it serves.
    app.add_middleware(
        JSONFastPathMiddleware,
        routes=[*echo.router.routes, *summarize.router.routes],
        decode=decode_json_body,
        exception_handlers=app.exception_handlers,
    )
    app.add_middleware(
        BodyLimitMiddleware,
        max_body_bytes=settings.max_body_bytes,
        read_timeout_s=settings.body_read_timeout_s,
    )
    app.add_middleware(UnhandledErrorMiddleware)
    app.add_middleware(AccessLogMiddleware, file=access_log_file)
    app.add_middleware(RequestIdMiddleware)
    return app
