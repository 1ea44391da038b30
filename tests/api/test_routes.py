"""The lesson's contract, byte for byte, through the in-process ASGI app."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from tests.api.conftest import assert_problem


@pytest.fixture
def client() -> TestClient:
    return TestClient(create_app(Settings()))


def test_health_returns_ok(client: TestClient) -> None:
    """GET /health returns the lesson's body exactly."""
    response = client.get("/health")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content == b'{"status":"ok"}'


def test_echo_returns_message(client: TestClient) -> None:
    """POST /echo returns the message it received."""
    response = client.post("/echo", json={"message": "hello"})
    assert response.status_code == 200
    assert response.content == b'{"message":"hello"}'


def test_summarize_request_describes_fields(client: TestClient) -> None:
    """POST /summarize-request lists the fields and measures the title."""
    body = {"title": "Bug report", "body": "Something broke", "priority": 1}
    response = client.post("/summarize-request", json=body)
    assert response.status_code == 200
    assert response.content == (
        b'{"field_count":3,"fields":["title","body","priority"],"title_length":10}'
    )


@pytest.mark.parametrize(
    ("path", "body"),
    [
        pytest.param("/echo", {}, id="echo-missing-message"),
        pytest.param("/echo", {"message": 42}, id="echo-message-not-string"),
        pytest.param("/summarize-request", {"title": "t", "body": "b"}, id="summary-no-priority"),
        pytest.param(
            "/summarize-request",
            {"title": "t", "body": "b", "priority": "1"},
            id="summary-priority-string",
        ),
    ],
)
def test_invalid_body_returns_422(client: TestClient, path: str, body: object) -> None:
    """A missing field or a wrong type is a 422 problem listing the invalid values."""
    response = client.post(path, json=body)
    problem = assert_problem(response, 422, "Request validation failed")
    assert problem["errors"]


def test_openapi_title_is_app_name() -> None:
    """APP_NAME becomes the OpenAPI title."""
    client = TestClient(create_app(Settings(app_name="my-service")))
    assert client.get("/openapi.json").json()["info"]["title"] == "my-service"
