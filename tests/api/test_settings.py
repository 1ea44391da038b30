"""Start-up refuses invalid environment variables with a message that names them."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from api.settings import ServerSettings, Settings
from startup.settings import InvalidSettings, load_settings


def test_server_settings_default_values() -> None:
    """With no variables set, the server listens on port 8000 with two workers."""
    settings = load_settings(ServerSettings)
    assert settings.port == 8000
    assert settings.web_concurrency == 2


def test_app_name_default_is_project_name() -> None:
    """APP_NAME defaults to the project's name."""
    assert load_settings(Settings).app_name == "ai-eng-foundations"


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        pytest.param("WEB_CONCURRENCY", "abc", "expected a valid integer", id="concurrency-text"),
        pytest.param("WEB_CONCURRENCY", "0", "greater than or equal to 1", id="concurrency-zero"),
        pytest.param("PORT", "70000", "less than or equal to 65535", id="port-too-large"),
        pytest.param("LOG_LEVEL", "loud", "'debug', 'info'", id="log-level-unknown"),
    ],
)
def test_invalid_variable_names_variable_and_value(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    """The error names the variable, repeats the value and states what was expected."""
    monkeypatch.setenv(variable, value)
    with pytest.raises(InvalidSettings) as caught:
        load_settings(ServerSettings)
    message = str(caught.value)
    assert f"{variable}={value!r}" in message
    assert expected in message


def test_python_m_api_exits_on_invalid_variable() -> None:
    """``python -m api`` with WEB_CONCURRENCY=abc exits non-zero before gunicorn starts."""
    env = {**os.environ, "WEB_CONCURRENCY": "abc"}
    result = subprocess.run(
        [sys.executable, "-m", "api"], env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 1
    assert "WEB_CONCURRENCY='abc'" in result.stderr
    assert "Traceback" not in result.stderr
