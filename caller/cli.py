"""The ``caller`` command line."""

from __future__ import annotations

import argparse
import logging
import sys
import uuid
from collections.abc import Sequence

from caller.call import add_call_parser, command_call
from caller.checks import CheckResult, Clients, run_checks
from caller.report import append_run_log, write_table
from caller.settings import CallerSettings
from caller.watch import command_watch
from resilient_http import FailureKind
from startup.logging import STDERR, configure_logging, log_effective_settings
from startup.settings import load_settings

_CONNECT_FAILURES = {FailureKind.CONNECT_ERROR.value, FailureKind.CONNECT_TIMEOUT.value}


def _unreachable_hint(results: Sequence[CheckResult], settings: CallerSettings) -> str | None:
    api_results = [result for result in results if result.name.startswith("api_")]
    if api_results and all(
        result.failure_kinds and set(result.failure_kinds) <= _CONNECT_FAILURES
        for result in api_results
    ):
        return (
            f"The api at {settings.api_base_url} is unreachable: every attempt failed to "
            "connect. Is it running, and is API_BASE_URL right?"
        )
    return None


def command_run(settings: CallerSettings) -> int:
    """Run every check once, print the table, append to the run log; return the exit code."""
    run_id = uuid.uuid4().hex
    clients = Clients.from_settings(settings)
    try:
        results = run_checks(clients, settings)
    finally:
        clients.close()

    write_table(results, sys.stdout)
    failed = sum(not result.passed for result in results)
    print(f"\nrun {run_id}: {len(results) - failed} passed, {failed} failed")
    hint = _unreachable_hint(results, settings)
    if hint:
        print(hint, file=sys.stderr)

    try:
        append_run_log(results, settings.caller_run_log, run_id)
    except OSError as exc:
        print(f"Could not append to the run log {settings.caller_run_log}: {exc}", file=sys.stderr)
        return 1

    return 0 if failed == 0 else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="caller",
        description="Exercise the api and external APIs through the resilient HTTP client.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "run", help="run every check once, print a table, append to the run log, exit 0 if all pass"
    )
    commands.add_parser(
        "watch",
        help="run every check each CALLER_INTERVAL_S seconds and serve /health and /metrics "
        "on CALLER_PORT until SIGTERM or SIGINT",
    )
    add_call_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    if args.command == "call":
        # A call needs no settings: its URL is on the command line.
        sys.exit(command_call(args))
    settings = load_settings(CallerSettings)
    if args.command == "run":
        # JSON logs go to standard error, so standard output keeps only the table.
        configure_logging(settings.log_level, stream=STDERR)
        sys.exit(command_run(settings))
    if args.command == "watch":
        configure_logging(settings.log_level)
        log_effective_settings(logging.getLogger("caller"), settings)
        sys.exit(command_watch(settings))
