"""Access log, request metrics, /metrics and /ready through the in-process ASGI app."""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Iterator
from types import FrameType

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from api.app import create_app
from api.readiness import Readiness
from api.settings import Settings
from tests.api.conftest import assert_problem


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings())) as test_client:
        yield test_client


def access_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "api.access"]


def requests_total(method: str, route: str, status: str) -> float:
    labels = {"method": method, "route": route, "status": status}
    return REGISTRY.get_sample_value("http_requests_total", labels) or 0.0


def test_access_log_one_record_per_request(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Each request writes exactly one api.access record with every field."""
    caplog.set_level(logging.INFO, logger="api.access")
    response = client.get("/health?token=hidden", headers={"X-Request-ID": "req-1"})

    records = access_records(caplog)
    assert response.status_code == 200
    assert len(records) == 1
    record = records[0]
    assert record.getMessage() == "GET /health 200"
    assert record.__dict__["method"] == "GET"
    assert record.__dict__["path"] == "/health"
    assert record.__dict__["route"] == "/health"
    assert record.__dict__["status"] == 200
    assert record.__dict__["request_id"] == "req-1"
    assert record.__dict__["client"] == "testclient:50000"
    assert 0 <= record.__dict__["duration_ms"] < 5_000


def test_access_log_route_template(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    """A path with a parameter is logged and counted by its template, not its value."""
    caplog.set_level(logging.INFO, logger="api.access")
    before = requests_total("GET", "/todos/{id}", "503")

    response = client.get("/todos/7")

    assert response.status_code == 503
    assert access_records(caplog)[0].__dict__["route"] == "/todos/{id}"
    assert access_records(caplog)[0].__dict__["path"] == "/todos/7"
    assert requests_total("GET", "/todos/{id}", "503") == before + 1


def test_unmatched_paths_share_label(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    """Paths no route matches are all counted under one route label."""
    caplog.set_level(logging.INFO, logger="api.access")
    before = requests_total("GET", "unmatched", "404")

    for index in range(3):
        assert client.get(f"/no-such-path-{index}").status_code == 404

    assert requests_total("GET", "unmatched", "404") == before + 3
    assert {record.__dict__["route"] for record in access_records(caplog)} == {"unmatched"}


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
