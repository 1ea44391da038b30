"""Configuration of the api, read only from environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, HttpUrl
from pydantic_settings import BaseSettings, SettingsConfigDict

LogLevel = Literal["debug", "info", "warning", "error", "critical"]

DEFAULT_APP_NAME = "ai-eng-foundations"
DEFAULT_PORT = 8000
DEFAULT_WEB_CONCURRENCY = 2
#: Seconds a silent worker may take before gunicorn kills and replaces it.
DEFAULT_WORKER_TIMEOUT_S = 30
#: Seconds workers get to finish in-flight requests after SIGTERM.
DEFAULT_GRACEFUL_TIMEOUT_S = 20
#: Seconds an idle keep-alive connection stays open. It must exceed the clients' pool expiry
#: (4 s in resilient_http), so the server never closes a connection a client is about to reuse.
DEFAULT_KEEPALIVE_S = 20
#: Requests a worker serves before gunicorn replaces it, which bounds slow memory growth.
DEFAULT_MAX_REQUESTS = 100_000
#: Up to this many extra requests per worker, drawn at random, so workers do not restart at once.
DEFAULT_MAX_REQUESTS_JITTER = 10_000
#: Largest request body the api reads, in bytes (1 MiB).
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
#: Seconds the whole request body may take to arrive once the api starts reading it.
DEFAULT_BODY_READ_TIMEOUT_S = 10.0
#: Seconds one call to the external API may take, retries and backoff included.
DEFAULT_UPSTREAM_DEADLINE_S = 5.0


class Settings(BaseSettings):
    """Settings the application itself reads."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    app_name: str = Field(default=DEFAULT_APP_NAME, min_length=1)
    log_level: LogLevel = "info"
    #: Base URL of the todo API behind ``GET /todos/{id}``. Unset, that route returns 503.
    external_api_url: HttpUrl | None = None
    max_body_bytes: int = Field(default=DEFAULT_MAX_BODY_BYTES, ge=1)
    body_read_timeout_s: float = Field(default=DEFAULT_BODY_READ_TIMEOUT_S, gt=0, le=300)
    upstream_deadline_s: float = Field(default=DEFAULT_UPSTREAM_DEADLINE_S, gt=0, le=60)
    #: Serve ``/docs``, ``/redoc``, their assets and ``/openapi.json``.
    docs_enabled: bool = True


class ServerSettings(BaseSettings):
    """Settings of the gunicorn server that runs the application."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    #: Loopback by default, like gunicorn's own default; the container sets HOST=0.0.0.0.
    host: str = Field(default="127.0.0.1", min_length=1)
    port: int = Field(default=DEFAULT_PORT, ge=1, le=65535)
    web_concurrency: int = Field(default=DEFAULT_WEB_CONCURRENCY, ge=1, le=64)
    worker_timeout_s: int = Field(default=DEFAULT_WORKER_TIMEOUT_S, ge=1)
    graceful_timeout_s: int = Field(default=DEFAULT_GRACEFUL_TIMEOUT_S, ge=1)
    keepalive_s: int = Field(default=DEFAULT_KEEPALIVE_S, ge=1)
    #: 0 turns worker recycling off.
    max_requests: int = Field(default=DEFAULT_MAX_REQUESTS, ge=0)
    max_requests_jitter: int = Field(default=DEFAULT_MAX_REQUESTS_JITTER, ge=0)
    log_level: LogLevel = "info"
    #: Folder of the workers' metric files (PROMETHEUS_MULTIPROC_DIR). Unset, the master makes
    #: one per server under /dev/shm, or under the temporary folder where /dev/shm is missing,
    #: and removes it at exit. A folder set here is kept, but its metric files are deleted at
    #: start-up, so it must belong to this server alone.
    metrics_dir: Path | None = None
    #: Path of gunicorn's control socket (``gunicornc``). Unset, the socket is off: its default
    #: place is under the home folder, which a read-only root filesystem cannot write.
    control_socket: Path | None = None
