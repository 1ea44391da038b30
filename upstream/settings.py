"""Configuration of the stand-in upstream, read only from environment variables."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_PORT = 8080


class UpstreamSettings(BaseSettings):
    """The stand-in's listening address: loopback unless UPSTREAM_HOST sets another one."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    upstream_host: str = Field(default="127.0.0.1", min_length=1)
    port: int = Field(default=DEFAULT_PORT, ge=1, le=65535)
    log_level: Literal["debug", "info", "warning", "error", "critical"] = "info"
