"""The api under gunicorn: JSON logs, metrics summed over workers, and draining on SIGTERM."""

from __future__ import annotations

import json
import re
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx2
import pytest

from api.metrics_dir import default_metrics_dir
from tests.conftest import Server, free_port, start_server

#: Batches of HEALTH_REQUESTS sent at most while waiting for both workers to serve.
MAX_HEALTH_BATCHES = 20
HEALTH_REQUESTS = 60
#: Seconds the slow upstream waits before it returns a todo.
UPSTREAM_DELAY_S = 2.0
GRACEFUL_TIMEOUT_S = 10


def start_api(env: dict[str, str], log_path: Path) -> Server:
    """Run ``python -m api`` on a loopback port with its output in ``log_path``; wait for it."""
    return start_server(
        "api", {"HOST": "127.0.0.1", **env}, free_port(), log_path=log_path, ready_path="/ready"
    )


def log_records(log_path: Path) -> list[dict[str, object]]:
    """Parse every line of the server's output as JSON; a plain-text line fails the test."""
    records = []
    for line in log_path.read_text().splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            pytest.fail(f"a log line is not JSON: {line!r}")
    return records


def sample_value(metrics_text: str, line_prefix: str) -> float:
    for line in metrics_text.splitlines():
        if line.startswith(line_prefix + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"no sample {line_prefix} in /metrics")


@pytest.fixture
def two_worker_api(tmp_path: Path) -> Iterator[tuple[Server, Path, Path]]:
    """The api with two workers and its metric files in a folder of the test."""
    metrics_dir = tmp_path / "metrics"
    log_path = tmp_path / "api.log"
    server = start_api({"WEB_CONCURRENCY": "2", "METRICS_DIR": str(metrics_dir)}, log_path)
    yield server, metrics_dir, log_path
    server.stop()


def test_metrics_summed_across_workers(two_worker_api: tuple[Server, Path, Path]) -> None:
    """Requests served by both workers add up exactly in /metrics from either worker."""
    server, metrics_dir, _ = two_worker_api

    # The kernel decides which worker accepts each connection, so batches are sent until both
    # workers have served some (bounded: MAX_HEALTH_BATCHES batches at most).
    sent = 0
    served_by: set[str] = set()
    with ThreadPoolExecutor(max_workers=10) as pool:
        for _ in range(MAX_HEALTH_BATCHES):
            statuses = list(
                pool.map(
                    lambda _: httpx2.get(f"{server.url}/health").status_code,
                    range(HEALTH_REQUESTS),
                )
            )
            assert statuses == [200] * HEALTH_REQUESTS
            sent += HEALTH_REQUESTS
            served_by = {re.sub(r"\D", "", path.name) for path in metrics_dir.glob("counter_*.db")}
            if len(served_by) == 2:
                break
    assert len(served_by) == 2, f"expected files of two workers, got {served_by}"

    text = httpx2.get(f"{server.url}/metrics").text

    health = 'http_requests_total{method="GET",route="/health",status="200"}'
    assert sample_value(text, health) == sent
    count = 'http_request_duration_seconds_count{method="GET",route="/health",status="200"}'
    assert sample_value(text, count) == sent
    # The /metrics request itself is the only one in flight.
    assert sample_value(text, "http_requests_in_progress") == 1


def test_one_json_access_line_per_request(two_worker_api: tuple[Server, Path, Path]) -> None:
    """Every output line is JSON, and each request has one access line and no uvicorn one."""
    server, _, log_path = two_worker_api
    for index in range(5):
        httpx2.get(f"{server.url}/health", headers={"X-Request-ID": f"line-{index}"})
    server.stop()

    records = log_records(log_path)
    access = [record for record in records if record["logger"] == "api.access"]
    health_ids = sorted(
        str(record["request_id"]) for record in access if record["path"] == "/health"
    )
    assert health_ids == [f"line-{index}" for index in range(5)]
    assert all(record["route"] == "/health" for record in access if record["path"] == "/health")
    assert not [
        record
        for record in records
        if "access" in str(record["logger"]) and record["logger"] != "api.access"
    ]
    configuration = [record for record in records if record["message"] == "Effective configuration"]
    assert len(configuration) == 1


class SlowTodoHandler(BaseHTTPRequestHandler):
    """Return todo 1 for any GET after ``UPSTREAM_DELAY_S``, and set ``arrived`` on receipt."""

    arrived = threading.Event()

    def do_GET(self) -> None:
        self.arrived.set()
        time.sleep(UPSTREAM_DELAY_S)
        body = json.dumps({"userId": 1, "id": 1, "title": "slow", "completed": False}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def slow_upstream() -> Iterator[str]:
    """A loopback upstream whose todos take UPSTREAM_DELAY_S seconds."""
    SlowTodoHandler.arrived.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowTodoHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_sigterm_finishes_inflight_request(slow_upstream: str, tmp_path: Path) -> None:
    """SIGTERM to the master while a request waits on the upstream: the request gets its 200,
    the master exits 0 within the graceful timeout, and its metrics folder is gone."""
    env = {
        "WEB_CONCURRENCY": "2",
        "EXTERNAL_API_URL": slow_upstream,
        "GRACEFUL_TIMEOUT_S": str(GRACEFUL_TIMEOUT_S),
    }
    server = start_api(env, tmp_path / "api.log")
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(httpx2.get, f"{server.url}/todos/1", timeout=15)
            assert SlowTodoHandler.arrived.wait(timeout=5), "the request never reached upstream"
            signalled = time.monotonic()
            server.process.send_signal(signal.SIGTERM)
            response = pending.result(timeout=15)

        exit_code = server.process.wait(timeout=GRACEFUL_TIMEOUT_S + 5)
        stopped_after_s = time.monotonic() - signalled
    finally:
        server.stop()

    assert response.status_code == 200
    assert response.json()["title"] == "slow"
    assert exit_code == 0
    assert stopped_after_s < GRACEFUL_TIMEOUT_S
    assert not default_metrics_dir(server.process.pid).exists()
