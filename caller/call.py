"""``caller call``: send one request, or a few in a row, through the resilient client.

It prints one JSON object per call and, with ``--repeat``, a summary object, so the policy can be
tried against any URL from a shell.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from typing import Any, TextIO

import httpx2

from resilient_http import CallFailed, ResilientClient, RetryPolicy, attempts_of
from resilient_http._policy import DEFAULT_DEADLINE_S, DEFAULT_MAX_ATTEMPTS

EXIT_OK = 0
EXIT_FAILED = 1


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def _json_body(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"invalid JSON ({exc.msg} at char {exc.pos})") from None


def _header(text: str) -> tuple[str, str]:
    name, colon, value = text.partition(":")
    if not colon or not name.strip() or name != name.strip():
        raise argparse.ArgumentTypeError(f"expected 'Name: value', got {text!r}")
    return name, value.strip()


def _http_url(text: str) -> str:
    try:
        url = httpx2.URL(text)
    except httpx2.InvalidURL as exc:
        raise argparse.ArgumentTypeError(f"invalid URL {text!r}: {exc}") from None
    if url.scheme not in {"http", "https"} or not url.host:
        raise argparse.ArgumentTypeError(f"expected an http:// or https:// URL, got {text!r}")
    return text


def _idempotency_key(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("expected 'auto' or a non-empty key, got an empty value")
    return text


def _method(text: str) -> str:
    if not text.isalpha():
        raise argparse.ArgumentTypeError(f"expected an HTTP method such as GET, got {text!r}")
    return text.upper()


def add_call_parser(commands: Any) -> None:
    """Register the ``call`` subcommand on the ``caller`` subparsers object ``commands``."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "call",
        help="send a request through the resilient client and print one JSON line per call",
        description="Send METHOD URL through the resilient client; print JSON; exit 0 on a 2xx.",
    )
    parser.add_argument("method", metavar="METHOD", type=_method, help="HTTP method, e.g. GET")
    parser.add_argument("url", metavar="URL", type=_http_url, help="absolute http(s) URL")
    parser.add_argument(
        "--json", type=_json_body, dest="json_body", metavar="BODY", help="JSON request body"
    )
    parser.add_argument(
        "--header",
        type=_header,
        action="append",
        default=[],
        help="request header as 'Name: value'; repeat for more",
    )
    parser.add_argument(
        "--deadline",
        type=_positive_float,
        default=DEFAULT_DEADLINE_S,
        help=f"deadline of each call in seconds, retries included (default {DEFAULT_DEADLINE_S:g})",
    )
    parser.add_argument(
        "--attempts",
        type=_positive_int,
        default=DEFAULT_MAX_ATTEMPTS,
        help=f"attempts per call, the first included (default {DEFAULT_MAX_ATTEMPTS})",
    )
    parser.add_argument(
        "--idempotency-key",
        metavar="auto|KEY",
        type=_idempotency_key,
        help="send an Idempotency-Key: 'auto' mints one per call, any other value is sent as is",
    )
    parser.add_argument(
        "--repeat", type=_positive_int, default=1, help="calls to make in a row (default 1)"
    )


@dataclass(frozen=True, slots=True)
class CallRecord:
    """The output of one call."""

    status: int | None
    attempts: list[dict[str, object]]
    elapsed_s: float
    error: str | None

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300 and self.error is None


def _one_call(client: ResilientClient, args: argparse.Namespace) -> CallRecord:
    started = time.monotonic()
    kwargs: dict[str, Any] = {"headers": dict(args.header)}
    if args.json_body is not None:
        kwargs["json"] = args.json_body
    key = args.idempotency_key
    try:
        response = client.request(args.method, args.url, idempotency_key=key, **kwargs)
    except CallFailed as exc:
        return CallRecord(
            status=exc.status_code,
            attempts=[attempt.as_dict() for attempt in exc.attempts],
            elapsed_s=round(time.monotonic() - started, 4),
            error=str(exc),
        )
    return CallRecord(
        status=response.status_code,
        attempts=[attempt.as_dict() for attempt in attempts_of(response)],
        elapsed_s=round(time.monotonic() - started, 4),
        error=None,
    )


def command_call(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Make ``args.repeat`` calls through one client, print them, and return the exit code.

    Output goes to ``out``, standard output by default.
    """
    out = out or sys.stdout
    policy = RetryPolicy(max_attempts=args.attempts, deadline_s=args.deadline)
    records: list[CallRecord] = []
    with ResilientClient(policy=policy) as client:
        for _ in range(args.repeat):
            record = _one_call(client, args)
            records.append(record)
            line = {
                "status": record.status,
                "attempts": record.attempts,
                "elapsed_s": record.elapsed_s,
                "error": record.error,
            }
            out.write(json.dumps(line) + "\n")

    if args.repeat > 1:
        total = sum(len(record.attempts) for record in records)
        summary = {
            "calls": len(records),
            "attempts": total,
            "attempts_per_call": round(total / len(records), 4),
        }
        out.write(json.dumps(summary) + "\n")
    return EXIT_OK if records[-1].succeeded else EXIT_FAILED
