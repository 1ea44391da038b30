"""The ASGI application."""

from __future__ import annotations

from fastapi import FastAPI

from api.routes import echo, health, summarize
from api.settings import Settings
from startup.settings import load_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application from ``settings``, or from the environment when none are given."""
    settings = settings or load_settings(Settings)
    app = FastAPI(title=settings.app_name)
    app.state.settings = settings
    app.include_router(health.router)
    app.include_router(echo.router)
    app.include_router(summarize.router)
    return app
