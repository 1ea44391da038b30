"""Configuration of the caller, read only from environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, HttpUrl
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_RUN_LOG = Path("caller-runs.jsonl")
DEFAULT_DEADLINE_S = 10.0
DEFAULT_SLOW_TIMEOUT_S = 2.0


class CallerSettings(BaseSettings):
    """Where the caller sends its checks and where it writes its run log.

    The URLs have no defaults on purpose: the caller must never reach a host nobody configured.
    """

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    api_base_url: HttpUrl
    external_api_url: HttpUrl
    slow_api_url: HttpUrl
    caller_run_log: Path = DEFAULT_RUN_LOG
    caller_deadline_s: float = Field(default=DEFAULT_DEADLINE_S, gt=0, le=300)
    caller_slow_timeout_s: float = Field(default=DEFAULT_SLOW_TIMEOUT_S, gt=0, le=60)
