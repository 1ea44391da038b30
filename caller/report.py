"""The two forms of a run's report: a table for people and JSON lines for machines."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from caller.checks import CheckResult

_COLUMNS = ("check", "outcome", "status", "attempts", "ms", "detail")
#: Maximum length of a detail in the table. The run log keeps the whole text.
MAX_TABLE_DETAIL = 100


def _row(result: CheckResult) -> tuple[str, ...]:
    detail = result.detail
    if len(detail) > MAX_TABLE_DETAIL:
        detail = detail[: MAX_TABLE_DETAIL - 3] + "..."
    return (
        result.name,
        "PASS" if result.passed else "FAIL",
        "-" if result.status is None else str(result.status),
        str(result.attempts),
        f"{result.elapsed_ms:.0f}",
        detail,
    )


def write_table(results: Sequence[CheckResult], out: TextIO) -> None:
    """Write the results as an aligned text table."""
    rows = [_COLUMNS, *(_row(result) for result in results)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(_COLUMNS) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        out.write("  ".join([*cells, row[-1]]).rstrip() + "\n")


def append_run_log(results: Sequence[CheckResult], path: Path, run_id: str) -> None:
    """Append one JSON line per check to ``path``, creating the file and its folder if needed."""
    timestamp = datetime.now(UTC).isoformat(timespec="milliseconds")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as log:
        for result in results:
            record = {
                "time": timestamp,
                "run_id": run_id,
                "check": result.name,
                "outcome": "pass" if result.passed else "fail",
                "status": result.status,
                "attempts": result.attempts,
                "elapsed_ms": round(result.elapsed_ms, 1),
                "detail": result.detail,
                "request_id": result.request_id,
            }
            log.write(json.dumps(record) + "\n")
