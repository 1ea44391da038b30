"""The stand-in responds in JSONPlaceholder's and httpbin's shapes."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import httpx2
import pytest
from starlette.testclient import TestClient

from tests.conftest import free_port, start_server
from upstream.app import create_app


@pytest.fixture
def client() -> TestClient:
    return TestClient(create_app())


def test_todo_has_jsonplaceholder_shape(client: TestClient) -> None:
    """GET /todos/1 returns a todo with userId, id, title and completed."""
    response = client.get("/todos/1")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"userId", "id", "title", "completed"}
    assert body["id"] == 1


@pytest.mark.parametrize("todo_id", [0, 201], ids=["zero", "past-last"])
def test_unknown_todo_returns_404(client: TestClient, todo_id: int) -> None:
    """Ids outside 1..200 are not found, as on JSONPlaceholder."""
    assert client.get(f"/todos/{todo_id}").status_code == 404


@pytest.mark.parametrize("code", [200, 418, 503])
def test_status_returns_that_status(client: TestClient, code: int) -> None:
    """GET /status/{code} returns that status."""
    assert client.get(f"/status/{code}").status_code == code


def test_delay_returns_httpbin_shape(client: TestClient) -> None:
    """GET /delay/0 returns at once with httpbin's echo of the request."""
    response = client.get("/delay/0", headers={"X-Probe": "1"})
    assert response.status_code == 200
    assert response.json()["headers"]["x-probe"] == "1"


def test_unknown_option_exits_2() -> None:
    """``python -m upstream`` takes no options: an unknown one exits 2 before anything starts."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "upstream", "--port", "3"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "unrecognized arguments: --port 3" in result.stderr


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stop_signal_exits_zero(tmp_path: Path, signum: signal.Signals) -> None:
    """The stand-in stops on SIGTERM or SIGINT with exit code 0 and logs its shutdown."""
    log_path = tmp_path / "upstream.log"
    server = start_server(
        "upstream", {"UPSTREAM_HOST": "127.0.0.1"}, free_port(), log_path=log_path
    )
    server.process.send_signal(signum)

    assert server.process.wait(timeout=15) == 0
    assert "Traceback" not in log_path.read_text()
    assert "Shutting down" in log_path.read_text()


def test_stop_cuts_a_long_delay(tmp_path: Path) -> None:
    """A stop does not wait out a /delay/10 in flight: the request ends without its 200 (uvicorn
    sends a 500 or drops the connection), and the stand-in still exits 0."""
    log_path = tmp_path / "upstream.log"
    server = start_server(
        "upstream", {"UPSTREAM_HOST": "127.0.0.1"}, free_port(), log_path=log_path
    )
    outcome: list[str] = []

    def slow_call() -> None:
        try:
            response = httpx2.get(f"{server.url}/delay/10", timeout=30)
            outcome.append(f"status {response.status_code}")
        except httpx2.TransportError as exc:
            outcome.append(type(exc).__name__)

    caller = threading.Thread(target=slow_call)
    caller.start()
    time.sleep(0.5)  # Let the request reach the stand-in before the stop.
    server.process.send_signal(signal.SIGTERM)

    assert server.process.wait(timeout=30) == 0
    caller.join(timeout=30)
    assert len(outcome) == 1
    assert outcome != ["status 200"]
