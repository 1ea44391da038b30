"""JSON logging for every service, configured once at the entry point.

Each record is one JSON object on one line of standard output (or standard error) with
``time`` (ISO 8601, UTC), ``level``, ``logger`` and ``message``, plus any ``extra`` fields the
call passed.

Records of the standard library's ``logging`` (the servers', the clients' and the services' own)
go through python-json-logger. The api's access line, written for every request, goes through
structlog instead (``json_line_logger``) with the same fields, because the standard library's
record machinery cost about as much as the rest of the api's work on a request (see
docs/performance.md).
"""

from __future__ import annotations

import contextlib
import json
import logging
import logging.config
import re
import select
import sys
import weakref
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, BinaryIO, cast

import orjson
import structlog
from pydantic import AnyUrl, SecretBytes, SecretStr
from pydantic_settings import BaseSettings
from pythonjsonlogger.core import RESERVED_ATTRS, LogData
from pythonjsonlogger.json import JsonFormatter as StandardJsonFormatter
from pythonjsonlogger.orjson import OrjsonFormatter

from startup.loop_calls import IterationEndCall

MASK = "**********"
#: Settings whose name matches are masked in logs even when their type is a plain string.
SECRET_NAME = re.compile(r"secret|password|passwd|token|api_?key|credential|private|auth", re.I)

STDOUT = "ext://sys.stdout"
STDERR = "ext://sys.stderr"


class JsonLineFormatter(OrjsonFormatter):
    """python-json-logger's formatter with orjson as the encoder.

    It writes the same fields as the library's default ``JsonFormatter`` at about half the cost
    per record, which matters with an access line per request. orjson rejects integers beyond
    64 bits, so a record that contains one is encoded by the standard library instead of lost.
    """

    _fallback = StandardJsonFormatter()

    def jsonify_log_record(self, log_data: LogData) -> str:
        try:
            return super().jsonify_log_record(log_data)
        except TypeError:
            return self._fallback.jsonify_log_record(log_data)


def _isoformat_or_str(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _encode_line(event_dict: Mapping[str, Any], **_: Any) -> bytes:
    try:
        return orjson.dumps(event_dict)
    except TypeError:
        # orjson rejects integers beyond 64 bits, as in JsonLineFormatter.
        return json.dumps(event_dict, default=_isoformat_or_str).encode()


def _add_level_and_time(
    logger: Any, method_name: str, event_dict: structlog.typing.EventDict
) -> structlog.typing.EventDict:
    event_dict["level"] = method_name.upper()
    event_dict["time"] = datetime.now(UTC)
    return event_dict


#: The maximum size of one ``write`` to a pipe that is atomic, in bytes: 4096 on Linux, and
#: POSIX's minimum of 512 where the platform does not say.
PIPE_BUF = getattr(select, "PIPE_BUF", 512)


def _write_lines(file: BinaryIO, lines: list[bytes]) -> None:
    if not lines:
        return
    data = b"".join(lines)
    lines.clear()
    file.write(data)
    file.flush()


def _write_lines_at_exit(file: BinaryIO, lines: list[bytes]) -> None:
    # At exit the file may already be closed, and then the lines cannot be saved.
    with contextlib.suppress(ValueError, OSError):
        _write_lines(file, lines)


class BatchedLineWriter:
    """A binary file for whole lines that writes them once per iteration of the running loop.

    An event loop that serves many requests at once runs several of them in one iteration, and
    each writes an access line. ``write`` collects the lines and ``flush`` writes them after the
    iteration ends, so one ``write`` system call carries many lines. Each of those writes carries
    at most ``PIPE_BUF`` bytes of whole lines (a longer line goes alone), because only writes of
    that size are atomic on a pipe, and the gunicorn workers share one standard output. Without
    a running loop ``flush`` writes at once. Lines still waiting when the process exits normally
    are written then. A process killed with SIGKILL loses them, at most one iteration's worth.

    It is not thread-safe: write from the event loop's thread only.
    """

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self._lines: list[bytes] = []
        self._size = 0
        self._write_later = IterationEndCall(self._write_now)
        weakref.finalize(self, _write_lines_at_exit, file, self._lines)

    def write(self, data: bytes) -> int:
        if self._lines and self._size + len(data) > PIPE_BUF:
            self._write_now()
        self._lines.append(data)
        self._size += len(data)
        return len(data)

    def flush(self) -> None:
        self._write_later.schedule()

    def _write_now(self) -> None:
        self._size = 0
        _write_lines(self.file, self._lines)


def json_line_logger(
    name: str, file: BinaryIO | None = None
) -> structlog.typing.FilteringBoundLogger:
    """Return a structlog logger that writes each call as one JSON line to ``file`` (standard
    output by default), with the fields of the records of ``logging_config``.

    ``logger.info("GET /health 200", status=200)`` writes ``logger`` (``name``), ``status``,
    ``message``, ``level`` and ``time``. It skips the standard library's record, handler and
    filter machinery, which cost about as much as the rest of the api's work on a request, and
    it writes once per event-loop iteration (``BatchedLineWriter``). It applies no level:
    callers check the level of the standard library's logger of the same name, so LOG_LEVEL
    governs both.
    """
    output = cast(BinaryIO, BatchedLineWriter(file or sys.stdout.buffer))
    logger: structlog.typing.FilteringBoundLogger = structlog.wrap_logger(
        structlog.BytesLogger(output),
        processors=[
            structlog.processors.EventRenamer("message"),
            _add_level_and_time,
            structlog.processors.JSONRenderer(serializer=_encode_line),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.NOTSET),
        context_class=dict,
    ).bind(logger=name)
    return logger


JSON_FORMATTER = {
    "()": "startup.logging.JsonLineFormatter",
    "fmt": ["levelname", "name", "message"],
    "rename_fields": {"levelname": "level", "name": "logger"},
    "timestamp": "time",
    # uvicorn adds ``color_message``, the message with terminal colour codes.
    "reserved_attrs": [*RESERVED_ATTRS, "color_message"],
}


def logging_config(
    level: str,
    filters: Mapping[str, Mapping[str, Any]] | None = None,
    stream: str = STDOUT,
) -> dict[str, Any]:
    """Build a ``logging.config.dictConfig`` dictionary that sends every logger to ``stream``
    (standard output by default) as JSON lines at ``level``.

    ``filters`` maps a name to a filter configuration (``{"()": "module.Class"}``). Each one runs
    on every record, so it can add fields such as the request id.

    Gunicorn's and uvicorn's loggers are listed by name because both servers attach their own
    plain-text handlers, and dictConfig replaces the handlers only of the loggers it lists.
    ``gunicorn.access`` and ``uvicorn.access`` get no handler: the services write their own
    access line, and uvicorn skips its access log when that logger has no handler. httpx2 and
    httpcore2 log every request at INFO; they are held at WARNING because the caller and the
    resilient client already log one line per call and per retry decision.
    """
    level = level.upper()
    filters = dict(filters or {})
    quiet = {"handlers": [], "propagate": False}
    to_stdout = {"level": level, "handlers": ["stdout"], "propagate": False}
    client_level = max(logging.getLevelName(level), logging.WARNING)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": filters,
        "formatters": {"json": JSON_FORMATTER},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": stream,
                "formatter": "json",
                "filters": list(filters),
            }
        },
        "root": {"level": level, "handlers": ["stdout"]},
        "loggers": {
            "gunicorn.error": to_stdout,
            "gunicorn.access": quiet,
            "uvicorn": to_stdout,
            "uvicorn.error": {"level": level, "handlers": [], "propagate": True},
            "uvicorn.access": quiet,
            "httpx2": {"level": logging.getLevelName(client_level), "handlers": []},
            "httpcore2": {"level": logging.getLevelName(client_level), "handlers": []},
        },
    }


def skip_unused_record_fields() -> None:
    """Stop ``logging`` from looking up the thread, process and task of every record.

    The JSON lines carry none of these fields, and the look-ups are a measurable share of an
    access line. These are the module's documented switches for that (the logging HOWTO's
    section on optimization). ``logAsyncioTasks`` exists from Python 3.12 on.
    """
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging.logAsyncioTasks = False  # type: ignore[attr-defined,unused-ignore]


def configure_logging(
    level: str,
    filters: Mapping[str, Mapping[str, Any]] | None = None,
    stream: str = STDOUT,
) -> None:
    """Send every logger of this process to ``stream`` as JSON lines at ``level``."""
    skip_unused_record_fields()
    logging.config.dictConfig(logging_config(level, filters, stream))


def _masked_value(name: str, value: object) -> object:
    if isinstance(value, SecretStr | SecretBytes) or SECRET_NAME.search(name):
        return None if value is None else MASK
    if isinstance(value, AnyUrl) and value.password:
        return str(value).replace(f":{value.password}@", f":{MASK}@", 1)
    if isinstance(value, AnyUrl | bytes) or not isinstance(value, str | int | float | bool):
        return None if value is None else str(value)
    return value


def masked_settings(settings: BaseSettings) -> dict[str, object]:
    """Return the settings as a dictionary for logs, with secrets replaced by ``MASK``.

    A value is a secret when its type is ``SecretStr`` or ``SecretBytes``, when its name matches
    ``SECRET_NAME``, or, for a URL, when it carries a password (only the password is masked).
    """
    return {
        name: _masked_value(name, getattr(settings, name)) for name in type(settings).model_fields
    }


def log_effective_settings(logger: logging.Logger, *all_settings: BaseSettings) -> None:
    """Log the effective configuration once, as one record with a ``settings`` field per class."""
    logger.info(
        "Effective configuration",
        extra={
            "settings": {
                type(settings).__name__: masked_settings(settings) for settings in all_settings
            }
        },
    )
