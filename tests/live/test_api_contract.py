"""The api's error contract against the real gunicorn server of the compose stack.

Run with ``docker compose --profile test run --rm tests``; API_BASE_URL names the api.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx2
import pytest

pytestmark = pytest.mark.live

JSON = {"Content-Type": "application/json"}
UPLOAD_BYTES = 100 * 1024 * 1024
UPLOAD_CHUNK = 64 * 1024


@pytest.fixture(scope="module")
def base_url() -> str:
    value = os.environ.get("API_BASE_URL")
    if not value:
        pytest.fail("API_BASE_URL is not set; run the live tests inside the compose stack.")
    return value.rstrip("/")


def assert_problem(response: httpx2.Response, status: int, title: str) -> None:
    assert response.status_code == status, response.content[:300]
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["title"] == title
    assert body["status"] == status
    assert body["request_id"] == response.headers["x-request-id"]


@pytest.mark.parametrize(
    ("path", "content", "headers", "status", "title"),
    [
        pytest.param("/echo", b'{"message":"\\ud800"}', JSON, 400, "Invalid JSON", id="surrogate"),
        pytest.param("/echo", b'{"message":"\xff"}', JSON, 400, "Invalid JSON", id="bad-utf8"),
        pytest.param("/echo", b'{"message":', JSON, 400, "Invalid JSON", id="truncated"),
        pytest.param("/echo", b"[" * 64 + b"]" * 64, JSON, 400, "Invalid JSON", id="deep"),
        pytest.param(
            "/summarize-request",
            b'{"title":"t","body":"b","priority":NaN}',
            JSON,
            400,
            "Invalid JSON",
            id="nan",
        ),
        pytest.param(
            "/summarize-request",
            b'{"title":"t","body":"b","priority":1e400}',
            JSON,
            400,
            "Invalid JSON",
            id="overflow",
        ),
        pytest.param("/echo", b"[]", JSON, 422, "Request validation failed", id="array"),
        pytest.param("/echo", b"", JSON, 422, "Request validation failed", id="empty"),
        pytest.param(
            "/echo",
            b'{"message":"hi","extra":1}',
            JSON,
            422,
            "Request validation failed",
            id="unknown-field",
        ),
        pytest.param(
            "/summarize-request",
            b'{"title":"t","body":"b","priority":"1"}',
            JSON,
            422,
            "Request validation failed",
            id="lax-int",
        ),
        pytest.param(
            "/echo",
            b"\x00\xff\x01",
            {"Content-Type": "application/octet-stream"},
            415,
            "Unsupported media type",
            id="binary",
        ),
        pytest.param("/echo", b"message=hi", {}, 415, "Unsupported media type", id="no-type"),
    ],
)
def test_bad_input_is_4xx_problem(
    base_url: str, path: str, content: bytes, headers: dict[str, str], status: int, title: str
) -> None:
    """Each kind of bad input is a 4xx problem from the real server."""
    response = httpx2.post(f"{base_url}{path}", content=content, headers=headers)
    assert_problem(response, status, title)


def test_routing_errors_are_problems(base_url: str) -> None:
    """Routing's 404 and 405 are problems too."""
    assert_problem(httpx2.get(f"{base_url}/no-such-path"), 404, "Not found")
    assert_problem(httpx2.get(f"{base_url}/echo"), 405, "Method not allowed")


def test_request_id_round_trip(base_url: str) -> None:
    """A sane X-Request-ID comes back; an unsafe one is replaced."""
    accepted = httpx2.get(f"{base_url}/health", headers={"X-Request-ID": "live-check-1"})
    replaced = httpx2.get(f"{base_url}/health", headers={"X-Request-ID": "bad id"})
    assert accepted.headers["x-request-id"] == "live-check-1"
    assert replaced.headers["x-request-id"] != "bad id"


def test_todo_through_api(base_url: str) -> None:
    """The api fetches todos from the stand-in and maps a missing one to 404."""
    found = httpx2.get(f"{base_url}/todos/1")
    assert found.status_code == 200
    assert found.json()["id"] == 1
    assert_problem(httpx2.get(f"{base_url}/todos/201"), 404, "Todo not found")


def upload_chunks() -> Iterator[bytes]:
    yield b'{"message":"'
    chunk = b"x" * UPLOAD_CHUNK
    for _ in range(UPLOAD_BYTES // UPLOAD_CHUNK):
        yield chunk
    yield b'"}'


@pytest.mark.parametrize("declare_length", [True, False], ids=["declared", "chunked"])
def test_100mb_upload_is_413(base_url: str, declare_length: bool) -> None:
    """A 100 MB body is refused with a 413, whether its length is declared or not."""
    headers = dict(JSON)
    if declare_length:
        headers["Content-Length"] = str(UPLOAD_BYTES + 14)
    response = httpx2.post(f"{base_url}/echo", content=upload_chunks(), headers=headers, timeout=30)
    assert_problem(response, 413, "Request body too large")


def test_docs_served_offline(base_url: str) -> None:
    """/docs and its assets come from the api itself."""
    page = httpx2.get(f"{base_url}/docs")
    assert page.status_code == 200
    assert httpx2.get(f"{base_url}/static-offline-docs/swagger-ui-bundle.js").status_code == 200
