"""``caller watch`` on loopback: probes, metrics, recovery when the api appears, and SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx2

from tests.conftest import SERVICE_VARIABLES, Server, free_port, start_server

#: Seconds the whole recovery may take: a few rounds at a one-second interval plus api start-up.
RECOVERY_TIMEOUT_S = 45.0
#: Seconds ``watch`` may take to exit after SIGTERM; it promises one, plus process teardown.
STOP_TIMEOUT_S = 2.0


def start_watch(
    api_url: str, upstream: Server, tmp_path: Path, probe_port: int
) -> subprocess.Popen[bytes]:
    env = {key: value for key, value in os.environ.items() if key not in SERVICE_VARIABLES}
    env.update(
        {
            "API_BASE_URL": api_url,
            "EXTERNAL_API_URL": upstream.url,
            "SLOW_API_URL": upstream.url,
            "CALLER_SLOW_TIMEOUT_S": "0.5",
            "CALLER_DEADLINE_S": "2",
            "CALLER_RUN_LOG": str(tmp_path / "runs.jsonl"),
            "CALLER_INTERVAL_S": "1",
            "CALLER_PORT": str(probe_port),
        }
    )
    with (tmp_path / "watch.log").open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "caller", "watch"], env=env, stdout=log, stderr=subprocess.STDOUT
        )


def round_summaries(log_path: Path) -> list[dict[str, object]]:
    records = [json.loads(line) for line in log_path.read_text().splitlines() if line]
    return [record for record in records if "run_id" in record and "failed" in record]


def wait_for(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")


def probe(url: str) -> httpx2.Response | None:
    try:
        return httpx2.get(url, timeout=1)
    except httpx2.TransportError:
        return None


def test_watch_recovers_when_api_starts(upstream_server: Server, tmp_path: Path) -> None:
    """Rounds fail (logged as warnings) while nothing listens at the api's port, pass once the
    api starts there, and the process keeps serving its probes throughout, then stops promptly
    on SIGTERM."""
    api_port = free_port()
    probe_url = f"http://127.0.0.1:{free_port()}"
    probe_port = int(probe_url.rsplit(":", 1)[1])
    log_path = tmp_path / "watch.log"
    watch = start_watch(f"http://127.0.0.1:{api_port}", upstream_server, tmp_path, probe_port)
    api: Server | None = None
    try:
        wait_for(lambda: bool(round_summaries(log_path)), 20, "a first round")
        assert round_summaries(log_path)[0]["failed"] == 5
        assert round_summaries(log_path)[0]["level"] == "WARNING"
        health = probe(f"{probe_url}/health")
        assert health is not None
        assert health.status_code == 200
        assert health.json() == {"status": "ok"}
        metrics = httpx2.get(f"{probe_url}/metrics").text
        assert 'caller_check_passed{check="api_health"} 0.0' in metrics
        assert 'caller_rounds_total{outcome="fail"}' in metrics
        assert "resilient_http_attempts_total" in metrics

        api = start_server(
            "api", {"HOST": "127.0.0.1", "EXTERNAL_API_URL": upstream_server.url}, api_port
        )
        wait_for(
            lambda: round_summaries(log_path)[-1]["failed"] == 0,
            RECOVERY_TIMEOUT_S,
            "a round with every check passing",
        )
        assert round_summaries(log_path)[-1]["level"] == "INFO"
        metrics = httpx2.get(f"{probe_url}/metrics").text
        assert 'caller_check_passed{check="api_health"} 1.0' in metrics

        signalled = time.monotonic()
        watch.send_signal(signal.SIGTERM)
        exit_code = watch.wait(timeout=10)
        stopped_after_s = time.monotonic() - signalled
    finally:
        if watch.poll() is None:
            watch.kill()
            watch.wait()
        if api is not None:
            api.stop()

    assert exit_code == 0
    assert stopped_after_s < STOP_TIMEOUT_S
    run_log = (tmp_path / "runs.jsonl").read_text().splitlines()
    run_ids = {json.loads(line)["run_id"] for line in run_log}
    assert len(run_ids) == len(round_summaries(log_path))


def test_watch_stops_on_sigint_mid_interval(upstream_server: Server, tmp_path: Path) -> None:
    """SIGINT during a long interval ends the process at once with exit code 0."""
    probe_url = f"http://127.0.0.1:{free_port()}"
    watch = start_watch(
        upstream_server.url, upstream_server, tmp_path, int(probe_url.rsplit(":", 1)[1])
    )
    try:
        wait_for(lambda: bool(round_summaries(tmp_path / "watch.log")), 20, "a first round")
        signalled = time.monotonic()
        watch.send_signal(signal.SIGINT)
        exit_code = watch.wait(timeout=10)
    finally:
        if watch.poll() is None:
            watch.kill()
            watch.wait()
    assert exit_code == 0
    assert time.monotonic() - signalled < STOP_TIMEOUT_S


def test_watch_port_in_use_exits_1(upstream_server: Server, tmp_path: Path) -> None:
    """A probe port that is already taken stops watch with exit code 1 and names the address."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        watch = start_watch(upstream_server.url, upstream_server, tmp_path, port)
        try:
            exit_code = watch.wait(timeout=20)
        finally:
            if watch.poll() is None:
                watch.kill()
                watch.wait()

    assert exit_code == 1
    assert f"Could not listen on 127.0.0.1:{port}" in (tmp_path / "watch.log").read_text()
