"""JSON log configuration and masking of secrets in the logged configuration."""

from __future__ import annotations

import asyncio
import gc
import io
import json
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from pydantic import AnyUrl, SecretStr
from pydantic_settings import BaseSettings

from startup.logging import (
    MASK,
    PIPE_BUF,
    BatchedLineWriter,
    configure_logging,
    json_line_logger,
    log_effective_settings,
    masked_settings,
)


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


def test_json_line_logger_record_fields() -> None:
    """structlog's lines carry the same fields as the standard library's records, one per line."""
    output = io.BytesIO()
    lines = json_line_logger("tests.fast", output)

    lines.info("GET /health 200", status=200, route="/health")
    lines.warning("second")

    first, second = (json.loads(line) for line in output.getvalue().splitlines())
    assert first["logger"] == "tests.fast"
    assert first["level"] == "INFO"
    assert first["message"] == "GET /health 200"
    assert first["status"] == 200
    assert first["route"] == "/health"
    assert "event" not in first
    assert datetime.fromisoformat(first["time"]).utcoffset() == timedelta(0)
    assert first["time"][10] == "T"
    assert second["level"] == "WARNING"
    assert second["message"] == "second"


def test_json_line_logger_integer_beyond_64_bits() -> None:
    """A value orjson refuses is written by the standard library's encoder instead."""
    output = io.BytesIO()
    json_line_logger("tests.fast", output).info("big", count=10**30)

    line = json.loads(output.getvalue())
    assert line["count"] == 10**30
    assert line["message"] == "big"
    assert datetime.fromisoformat(line["time"]).utcoffset() == timedelta(0)
    assert line["time"][10] == "T"


class RecordingFile(io.BytesIO):
    """A file that records each write and counts its flushes."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.flushes = 0

    def write(self, data: Any) -> int:
        self.writes.append(bytes(data))
        return super().write(data)

    def flush(self) -> None:
        self.flushes += 1
        super().flush()


def test_lines_written_after_iteration() -> None:
    """Lines written in one iteration of a running loop go out in one write, after it."""
    file = RecordingFile()
    output = BatchedLineWriter(file)

    async def write_three_lines() -> tuple[list[bytes], list[bytes]]:
        for _ in range(3):
            output.write(b"line\n")
            output.flush()
        during = list(file.writes)
        await asyncio.sleep(0)
        return during, list(file.writes)

    during, after = asyncio.run(write_three_lines())
    assert during == []
    assert after == [b"line\n" * 3]


def test_flush_outside_loop_writes_now() -> None:
    file = RecordingFile()
    output = BatchedLineWriter(file)
    output.write(b"line\n")
    output.flush()
    assert file.writes == [b"line\n"]
    assert file.flushes == 1


def test_writes_are_lines_within_pipe_buf() -> None:
    """Many lines in one iteration are split into writes of at most PIPE_BUF bytes."""
    file = RecordingFile()
    output = BatchedLineWriter(file)
    lines = [b"%03d" % index + b"x" * 96 + b"\n" for index in range(100)]

    async def write_lines() -> None:
        for line in lines:
            output.write(line)
            output.flush()
        await asyncio.sleep(0)

    asyncio.run(write_lines())
    assert len(file.writes) > 1
    assert all(len(data) <= PIPE_BUF for data in file.writes)
    assert all(data.endswith(b"\n") for data in file.writes)
    assert b"".join(file.writes) == b"".join(lines)


def test_line_longer_than_pipe_buf_is_written_whole() -> None:
    file = RecordingFile()
    output = BatchedLineWriter(file)
    long_line = b"x" * (PIPE_BUF * 2) + b"\n"

    output.write(b"short\n")
    output.write(long_line)
    output.flush()

    assert file.writes == [b"short\n", long_line]


def test_collected_writer_writes_waiting_lines() -> None:
    """Lines still waiting when the writer is collected, as at exit, are not lost."""
    file = RecordingFile()
    output = BatchedLineWriter(file)
    output.write(b"last\n")

    del output
    gc.collect()

    assert file.getvalue() == b"last\n"


def test_flush_after_stopped_loop_writes_now() -> None:
    """After a loop stopped with a write pending, a flush outside any loop writes at once."""
    file = RecordingFile()
    output = BatchedLineWriter(file)
    loop = asyncio.new_event_loop()

    def write_and_stop() -> None:
        output.write(b"first\n")
        output.flush()
        loop.stop()

    loop.call_soon(write_and_stop)
    loop.run_forever()

    output.flush()

    assert file.writes == [b"first\n"]
    loop.close()
