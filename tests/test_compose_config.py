"""docker-compose.yml passes every setting a service reads into its container."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic_settings import BaseSettings

from api.settings import ServerSettings, Settings
from caller.settings import CallerSettings
from upstream.settings import UpstreamSettings

COMPOSE_FILE = Path(__file__).resolve().parent.parent / "docker-compose.yml"


def environment_of(service: str) -> dict[str, object]:
    compose = yaml.safe_load(COMPOSE_FILE.read_text())
    environment: dict[str, object] = compose["services"][service]["environment"]
    return environment


@pytest.mark.parametrize(
    ("service", "settings_classes"),
    [
        ("api", (Settings, ServerSettings)),
        ("caller", (CallerSettings,)),
        ("upstream", (UpstreamSettings,)),
    ],
)
def test_service_gets_every_setting(
    service: str, settings_classes: tuple[type[BaseSettings], ...]
) -> None:
    """Each variable is listed, with a value or empty, so .env or the shell can set it."""
    listed = environment_of(service)
    for settings_class in settings_classes:
        for name in settings_class.model_fields:
            assert name.upper() in listed, f"{service}: {name.upper()} is not in environment:"
