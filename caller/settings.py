"""Configuration of the caller, read only from environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, HttpUrl
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_RUN_LOG = Path("caller-runs.jsonl")
DEFAULT_DEADLINE_S = 10.0
DEFAULT_SLOW_TIMEOUT_S = 2.0
#: Seconds between the starts of two rounds of checks in ``caller watch``.
DEFAULT_INTERVAL_S = 15.0
DEFAULT_PORT = 9000
#: Loopback by default; a container must set CALLER_HOST=0.0.0.0 to be reachable from outside.
DEFAULT_HOST = "127.0.0.1"


class CallerSettings(BaseSettings):
    """Where the caller sends its checks and where it writes its run log.

    The URLs have no defaults on purpose: the caller must never reach a host that was not
    configured.
    """

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    api_base_url: HttpUrl
    external_api_url: HttpUrl
    slow_api_url: HttpUrl
    caller_run_log: Path = DEFAULT_RUN_LOG
    caller_deadline_s: float = Field(default=DEFAULT_DEADLINE_S, gt=0, le=300)
    caller_slow_timeout_s: float = Field(default=DEFAULT_SLOW_TIMEOUT_S, gt=0, le=60)
    #: ``caller watch``: seconds between the starts of two rounds of checks.
    caller_interval_s: float = Field(default=DEFAULT_INTERVAL_S, gt=0, le=86_400)
    #: ``caller watch``: address and port of its ``/health`` and ``/metrics``.
    caller_host: str = Field(default=DEFAULT_HOST, min_length=1)
    caller_port: int = Field(default=DEFAULT_PORT, ge=1, le=65535)
    log_level: Literal["debug", "info", "warning", "error", "critical"] = "info"
