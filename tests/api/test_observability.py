"""Access log, request metrics, /metrics and /ready through the in-process ASGI app."""

from __future__ import annotations

import io
import json
import logging
import os
import signal
from collections.abc import Iterator
from datetime import datetime, timedelta
from types import FrameType
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from api.app import create_app
from api.readiness import Readiness
from api.settings import Settings
from tests.api.conftest import assert_problem


@pytest.fixture
def access_log() -> io.BytesIO:
    return io.BytesIO()


@pytest.fixture
def client(access_log: io.BytesIO) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(), access_log_file=access_log)) as test_client:
        yield test_client


def access_lines(access_log: io.BytesIO) -> list[dict[str, Any]]:
    """Return the api.access JSON lines written so far."""
    lines = [json.loads(line) for line in access_log.getvalue().splitlines()]
    assert all(line["logger"] == "api.access" for line in lines)
    return lines


def requests_total(method: str, route: str, status: str) -> float:
    labels = {"method": method, "route": route, "status": status}
    return REGISTRY.get_sample_value("http_requests_total", labels) or 0.0


def test_access_log_one_line_per_request(
    client: TestClient, caplog: pytest.LogCaptureFixture, access_log: io.BytesIO
) -> None:
    """Each request writes exactly one api.access JSON line with every field."""
    caplog.set_level(logging.INFO, logger="api.access")
    response = client.get("/health?token=hidden", headers={"X-Request-ID": "req-1"})

    lines = access_lines(access_log)
    assert response.status_code == 200
    assert len(lines) == 1
    line = lines[0]
    assert line["message"] == "GET /health 200"
    assert line["level"] == "INFO"
    assert line["method"] == "GET"
    assert line["path"] == "/health"
    assert line["route"] == "/health"
    assert line["status"] == 200
    assert line["request_id"] == "req-1"
    assert line["client"] == "testclient:50000"
    assert 0 <= line["duration_ms"] < 5_000
    assert datetime.fromisoformat(line["time"]).utcoffset() == timedelta(0)


def test_access_log_follows_the_level(
    client: TestClient, caplog: pytest.LogCaptureFixture, access_log: io.BytesIO
) -> None:
    """Above INFO, as with LOG_LEVEL=warning, requests write no access line."""
    caplog.set_level(logging.WARNING, logger="api.access")
    assert client.get("/health").status_code == 200
    assert access_lines(access_log) == []


def test_access_log_route_template(
    client: TestClient, caplog: pytest.LogCaptureFixture, access_log: io.BytesIO
) -> None:
    """A path with a parameter is logged and counted by its template, not its value."""
    caplog.set_level(logging.INFO, logger="api.access")
    before = requests_total("GET", "/todos/{id}", "503")

    response = client.get("/todos/7")

    assert response.status_code == 503
    [line] = access_lines(access_log)
    assert line["route"] == "/todos/{id}"
    assert line["path"] == "/todos/7"
    assert requests_total("GET", "/todos/{id}", "503") == before + 1


def test_unmatched_paths_share_label(
    client: TestClient, caplog: pytest.LogCaptureFixture, access_log: io.BytesIO
) -> None:
    """Paths no route matches are all counted under one route label."""
    caplog.set_level(logging.INFO, logger="api.access")
    before = requests_total("GET", "unmatched", "404")

    for index in range(3):
        assert client.get(f"/no-such-path-{index}").status_code == 404

    assert requests_total("GET", "unmatched", "404") == before + 3
    assert {line["route"] for line in access_lines(access_log)} == {"unmatched"}


def test_unknown_method_label_is_other(client: TestClient) -> None:
    """A method outside the known set is counted as "other"."""
    before = requests_total("other", "/health", "405")
    response = client.request("BREW", "/health")
    assert response.status_code == 405
    assert requests_total("other", "/health", "405") == before + 1


def test_metrics_endpoint_serves_text_format(client: TestClient) -> None:
    """/metrics returns the Prometheus text format with the request metrics."""
    client.get("/health")
    response = client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    assert 'http_requests_total{method="GET",route="/health",status="200"}' in response.text
    assert "http_request_duration_seconds_bucket" in response.text
    assert "http_requests_in_progress" in response.text


def test_ready_returns_ready(client: TestClient) -> None:
    """/ready returns 200 while the worker accepts work."""
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


def test_ready_draining_is_503_problem(client: TestClient) -> None:
    """/ready returns a 503 problem once the worker is draining."""
    readiness: Readiness = client.app.state.readiness  # type: ignore[attr-defined]
    readiness.start_draining()

    response = client.get("/ready")

    body = assert_problem(response, 503, "Server draining")
    assert body["type"] == "/problems/server-draining"
    assert client.get("/health").status_code == 200


def test_sigterm_hook_drains_then_chains() -> None:
    """SIGTERM sets the draining flag and then runs the handler installed before the hook."""
    received: list[int] = []

    def earlier_handler(signum: int, frame: FrameType | None) -> None:
        received.append(signum)

    original = signal.signal(signal.SIGTERM, earlier_handler)
    try:
        readiness = Readiness()
        restore = readiness.watch_sigterm()
        os.kill(os.getpid(), signal.SIGTERM)

        assert readiness.draining
        assert received == [signal.SIGTERM]
        restore()
        assert signal.getsignal(signal.SIGTERM) is earlier_handler
    finally:
        signal.signal(signal.SIGTERM, original)


def test_readiness_hook_skipped_off_main_thread() -> None:
    """The test client runs the lifespan in a thread, where no handler is installed."""
    before = signal.getsignal(signal.SIGTERM)
    with TestClient(create_app(Settings())):
        assert signal.getsignal(signal.SIGTERM) is before
