"""The stand-in's scripted faults, driven through Starlette's test client.

Trickled and cut bodies need real sockets; the client's fault-matrix tests cover them.
"""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from upstream.app import create_app


@pytest.fixture
def client() -> TestClient:
    return TestClient(create_app())


def test_unscripted_key_answers_200(client: TestClient) -> None:
    """A key with no script returns 200 with its hit count."""
    response = client.get("/faults/k/call")

    assert response.status_code == 200
    assert response.json() == {"key": "k", "hit": 1}


def test_fault_applies_next_n_calls(client: TestClient) -> None:
    """A fault with times=2 fails the next two calls with its status, then 200 follows."""
    assert client.put("/faults/k", json={"times": 2, "status": 502}).status_code == 200

    statuses = [client.get("/faults/k/call").status_code for _ in range(3)]

    assert statuses == [502, 502, 200]


def test_fault_sends_headers(client: TestClient) -> None:
    """The fault's headers are sent with its status."""
    client.put("/faults/k", json={"status": 429, "headers": {"Retry-After": "7"}})
    response = client.post("/faults/k/call")

    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"


def test_fault_without_times_never_ends(client: TestClient) -> None:
    """times=null applies the fault to every call until the key is reset."""
    client.put("/faults/k", json={"times": None, "status": 503})
    statuses = [client.get("/faults/k/call").status_code for _ in range(5)]
    client.delete("/faults/k")

    assert statuses == [503] * 5
    assert client.get("/faults/k/call").status_code == 200


def test_record_counts_hits_and_headers(client: TestClient) -> None:
    """GET /faults/{key} returns the hits and each request's method and headers."""
    client.get("/faults/k/call", headers={"X-Attempt": "1"})
    client.put("/faults/k/call", headers={"X-Attempt": "2"})
    record = client.get("/faults/k").json()

    assert record["hits"] == 2
    assert [request["method"] for request in record["requests"]] == ["GET", "PUT"]
    assert [request["headers"]["x-attempt"] for request in record["requests"]] == ["1", "2"]


def test_keys_are_independent(client: TestClient) -> None:
    """A fault on one key does not touch another key."""
    client.put("/faults/a", json={"status": 500})

    assert client.get("/faults/b/call").status_code == 200
    assert client.get("/faults/a/call").status_code == 500


def test_reset_clears_record(client: TestClient) -> None:
    """DELETE /faults/{key} clears the script and the hit count."""
    client.get("/faults/k/call")
    assert client.delete("/faults/k").status_code == 204

    assert client.get("/faults/k").json()["hits"] == 0


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 99},
        {"times": 0},
        {"delay_s": 11},
        {"body_bytes": 5, "cut_after_bytes": 5},
        {"unknown": 1},
    ],
    ids=["status-low", "times-zero", "delay-over-max", "cut-past-body", "unknown-field"],
)
def test_invalid_fault_rejected(client: TestClient, fault: dict[str, object]) -> None:
    """An invalid script is rejected with 422 and leaves the key unscripted."""
    response = client.put("/faults/k", json=fault)

    assert response.status_code == 422
    assert client.get("/faults/k/call").status_code == 200


def test_body_has_declared_length(client: TestClient) -> None:
    """A status fault sends ``body_bytes`` bytes with a matching Content-Length."""
    client.put("/faults/k", json={"status": 503, "body_bytes": 40})
    response = client.get("/faults/k/call")

    assert response.headers["content-length"] == "40"
    assert len(response.content) == 40
