"""JSON log configuration and masking of secrets in the logged configuration."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from pydantic import AnyUrl, SecretStr
from pydantic_settings import BaseSettings

from startup.logging import MASK, configure_logging, log_effective_settings, masked_settings


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """Put the root logger's handlers and level back after a test configures logging."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
    for handler in handlers:
        if handler not in root.handlers:
            root.addHandler(handler)
    root.setLevel(level)


class ExampleSettings(BaseSettings):
    port: int = 8000
    api_key: str = "plain-but-secret"
    db_password: SecretStr = SecretStr("hunter2")
    signing_value: SecretStr = SecretStr("s3cr3t")
    upstream: AnyUrl = AnyUrl("http://user:pa55@127.0.0.1:9/path")
    optional_token: str | None = None


def test_masked_settings_hides_secrets() -> None:
    """Secret types, secret-looking names and URL passwords are masked; the rest is kept."""
    masked = masked_settings(ExampleSettings())

    assert masked["port"] == 8000
    assert masked["api_key"] == MASK
    assert masked["db_password"] == MASK
    assert masked["signing_value"] == MASK
    assert masked["upstream"] == f"http://user:{MASK}@127.0.0.1:9/path"
    assert masked["optional_token"] is None
    assert "hunter2" not in json.dumps(masked)


def test_json_lines_with_level_from_setting(
    capsys: pytest.CaptureFixture[str], restore_logging: None
) -> None:
    """Records below the level are dropped, and each kept one is a JSON object with extras."""
    configure_logging("warning")
    logger = logging.getLogger("tests.startup")

    logger.info("dropped")
    logger.warning("kept %d", 1, extra={"request_id": "r-1"})

    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["message"] == "kept 1"
    assert record["level"] == "WARNING"
    assert record["logger"] == "tests.startup"
    assert record["request_id"] == "r-1"
    assert record["time"].endswith("+00:00")


def test_effective_settings_logged_masked(
    capsys: pytest.CaptureFixture[str], restore_logging: None
) -> None:
    """The configuration is logged once, per settings class, without secret values."""
    configure_logging("info")
    log_effective_settings(logging.getLogger("tests.startup"), ExampleSettings())

    output = capsys.readouterr().out
    record = json.loads(output)
    assert record["message"] == "Effective configuration"
    assert record["settings"]["ExampleSettings"]["port"] == 8000
    assert "hunter2" not in output
    assert "pa55" not in output


def test_integer_beyond_64_bits_logged(
    capsys: pytest.CaptureFixture[str], restore_logging: None
) -> None:
    """A value orjson refuses still gives one JSON line, with every field."""
    configure_logging("info")
    logging.getLogger("tests.startup").info("big", extra={"count": 10**30})

    captured = capsys.readouterr()
    record = json.loads(captured.out)
    assert record["count"] == 10**30
    assert record["message"] == "big"
    assert record["time"].endswith("+00:00")
    assert "Logging error" not in captured.err


def test_uvicorn_color_message_dropped(
    capsys: pytest.CaptureFixture[str], restore_logging: None
) -> None:
    """uvicorn's terminal-coloured copy of the message is left out of the JSON."""
    configure_logging("info")
    logging.getLogger("uvicorn.error").info("Started", extra={"color_message": "\x1b[36mStarted"})

    record = json.loads(capsys.readouterr().out)
    assert record["message"] == "Started"
    assert "color_message" not in record


@pytest.mark.parametrize(
    ("level", "expected"),
    [("info", logging.WARNING), ("debug", logging.WARNING), ("error", logging.ERROR)],
    ids=["info", "debug", "error"],
)
def test_http_client_loggers_held_at_warning(
    restore_logging: None, level: str, expected: int
) -> None:
    """httpx2 and httpcore2 log at WARNING or above, so a call is not logged twice."""
    configure_logging(level)

    assert logging.getLogger("httpx2").level == expected
    assert logging.getLogger("httpcore2").level == expected
