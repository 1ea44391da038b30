"""Every error is an RFC 9457 problem with a request id, and its size stays bounded."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient

from api.app import create_app
from api.errors import MAX_LISTED_ERRORS
from api.request_id import MAX_REQUEST_ID_LENGTH, current_request_id
from api.settings import Settings
from tests.api.conftest import assert_problem

SECRET = "sk-live-0123456789abcdef"


async def fail_with_secret() -> None:
    raise RuntimeError(f"database password is {SECRET}")


def make_app(**settings: object) -> FastAPI:
    app = create_app(Settings(**settings))  # type: ignore[arg-type]
    app.add_api_route("/fail", fail_with_secret)
    app.add_api_route("/rate-limited", raise_status(429))
    app.add_api_route("/slow-client", raise_status(408))
    return app


def raise_status(status: int):  # type: ignore[no-untyped-def]
    async def route() -> None:
        raise HTTPException(status_code=status, detail="text from a library")

    return route


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(make_app(), raise_server_exceptions=False)


def test_unknown_path_returns_404_problem(client: TestClient) -> None:
    """Routing's 404 is a problem whose instance is the path."""
    body = assert_problem(client.get("/no/such/path?token=x"), 404, "Not found")
    assert body["type"] == "/problems/not-found"
    assert body["instance"] == "/no/such/path"


def test_wrong_method_returns_405_with_allow(client: TestClient) -> None:
    """Routing's 405 is a problem and keeps the Allow header."""
    response = client.delete("/echo")
    assert_problem(response, 405, "Method not allowed")
    assert response.headers["allow"] == "POST"


@pytest.mark.parametrize(
    ("path", "status", "title"),
    [("/rate-limited", 429, "Too many requests"), ("/slow-client", 408, "Request timeout")],
)
def test_plain_http_exception_becomes_problem(
    client: TestClient, path: str, status: int, title: str
) -> None:
    """An HTTPException raised without a problem type gets the status's title, not its text."""
    body = assert_problem(client.get(path), status, title)
    assert "text from a library" not in body["detail"]


def test_unhandled_error_returns_500_without_text(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """An exception is a 500 with no exception text, logged once with the request id."""
    with caplog.at_level(logging.ERROR):
        response = client.get("/fail", headers={"X-Request-ID": "req-500"})

    body = assert_problem(response, 500, "Internal server error")
    assert body["request_id"] == "req-500"
    assert SECRET not in response.text
    assert "RuntimeError" not in response.text

    records = [record for record in caplog.records if record.exc_info]
    assert len(records) == 1
    assert records[0].name == "api"
    assert "req-500" in records[0].getMessage()


def test_huge_invalid_value_gives_small_422(client: TestClient) -> None:
    """A 60 KB invalid message gives an error of under 2 KB that does not repeat it."""
    message = SECRET + "x" * 60_000
    response = client.post("/echo", json={"message": message})
    body = assert_problem(response, 422, "Request validation failed")
    assert len(response.content) < 2_000
    assert message not in response.text
    assert len(body["errors"][0]["input"]) <= 43


def test_many_unknown_fields_listed_up_to_limit(client: TestClient) -> None:
    """Thousands of unknown fields give at most MAX_LISTED_ERRORS entries and the full count."""
    fields = {f"field_{index}_{'k' * 100}": index for index in range(3_000)}
    response = client.post("/echo", json={"message": "hi", **fields})
    body = assert_problem(response, 422, "Request validation failed")
    assert len(body["errors"]) == MAX_LISTED_ERRORS
    assert "3000 values are invalid" in body["detail"]
    assert all(len(str(part)) <= 40 for error in body["errors"] for part in error["loc"])
    assert len(response.content) < 4_000


def test_problem_body_escapes_control_characters(client: TestClient) -> None:
    """Excerpts of submitted values are JSON-escaped ASCII."""
    response = client.post(
        "/summarize-request", json={"title": "\u0000<script>", "body": "", "priority": 1}
    )
    assert_problem(response, 422, "Request validation failed")
    assert response.content.isascii()
    assert b"\x00" not in response.content
    assert json.loads(response.content)["errors"][0]["input"] == "\u0000<script>"


def test_sane_request_id_returned(client: TestClient) -> None:
    """A sane X-Request-ID comes back unchanged on a success."""
    response = client.get("/health", headers={"X-Request-ID": "abc-123_x.y:z"})
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "abc-123_x.y:z"


@pytest.mark.parametrize(
    "sent",
    [
        pytest.param("a" * (MAX_REQUEST_ID_LENGTH + 1), id="too-long"),
        pytest.param("has space", id="space"),
        pytest.param('quote"d', id="quote"),
        pytest.param("new\tline", id="tab"),
        pytest.param("", id="empty"),
        pytest.param("id;drop", id="semicolon"),
    ],
)
def test_insane_request_id_replaced(client: TestClient, sent: str) -> None:
    """An id that is too long or has unsafe characters is replaced by a generated one."""
    response = client.get("/health", headers={"X-Request-ID": sent})
    returned = response.headers["x-request-id"]
    assert returned != sent
    assert len(returned) == 32
    assert int(returned, 16) >= 0


def test_request_id_generated_and_unique(client: TestClient) -> None:
    """Without X-Request-ID each request gets its own id, on successes and errors alike."""
    ids = {client.get(path).headers["x-request-id"] for path in ("/health", "/nope", "/fail")}
    assert len(ids) == 3


def test_oversized_body_problem_has_request_id() -> None:
    """The 413 sent by the middleware before routing also carries the request id."""
    client = TestClient(make_app(max_body_bytes=10))
    response = client.post(
        "/echo", json={"message": "longer than ten"}, headers={"X-Request-ID": "r1"}
    )
    body = assert_problem(response, 413, "Request body too large")
    assert body["request_id"] == "r1"


def test_current_request_id_outside_request_is_none() -> None:
    """Outside a request there is no current id."""
    assert current_request_id() is None
