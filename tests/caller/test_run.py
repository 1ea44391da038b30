"""``caller run`` against real servers on loopback: all green, and with the api down."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import Server, free_port


def run_caller(api_url: str, upstream: Server, run_log: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "API_BASE_URL": api_url,
        "EXTERNAL_API_URL": upstream.url,
        "SLOW_API_URL": upstream.url,
        "CALLER_RUN_LOG": str(run_log),
        "CALLER_SLOW_TIMEOUT_S": "0.5",
    }
    return subprocess.run(
        [sys.executable, "-m", "caller", "run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_run_passes_against_live_servers(
    api_server: Server, upstream_server: Server, tmp_path: Path
) -> None:
    """Every check passes, the exit code is 0, and the run log gets one line per check."""
    run_log = tmp_path / "runs.jsonl"
    result = run_caller(api_server.url, upstream_server, run_log)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "7 passed, 0 failed" in result.stdout
    records = [json.loads(line) for line in run_log.read_text().splitlines()]
    assert [record["check"] for record in records] == [
        "api_health",
        "api_echo",
        "api_summarize_request",
        "api_rejects_invalid_request",
        "api_todo",
        "external_api_todo",
        "slow_api_times_out",
    ]
    assert {record["outcome"] for record in records} == {"pass"}
    assert len({record["run_id"] for record in records}) == 1
    request_ids = [record["request_id"] for record in records]
    assert all(len(request_id) == 32 for request_id in request_ids)
    assert len(set(request_ids)) == len(records)


def test_run_reports_api_down(upstream_server: Server, tmp_path: Path) -> None:
    """With nothing listening at API_BASE_URL, the run fails and reports the api as unreachable,
    and each failed check is logged as a warning."""
    api_url = f"http://127.0.0.1:{free_port()}"
    result = run_caller(api_url, upstream_server, tmp_path / "runs.jsonl")

    assert result.returncode == 1
    assert "5 failed" in result.stdout
    assert f"The api at {api_url}/ is unreachable" in result.stderr
    check_lines = [
        json.loads(line)
        for line in result.stderr.splitlines()
        if line.startswith("{") and '"check"' in line
    ]
    levels = {(line["outcome"], line["level"]) for line in check_lines}
    assert levels == {("fail", "WARNING"), ("pass", "INFO")}


def test_run_without_api_url_names_variable(tmp_path: Path) -> None:
    """A missing API_BASE_URL stops the command with a message naming the variable."""
    env = {key: value for key, value in os.environ.items() if key != "API_BASE_URL"}
    result = subprocess.run(
        [sys.executable, "-m", "caller", "run"], env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 1
    assert "API_BASE_URL is not set" in result.stderr
