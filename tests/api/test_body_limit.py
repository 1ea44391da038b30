"""MAX_BODY_BYTES: 413 before reading a declared body, and as soon as a chunked one crosses it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.middleware.body_limit import RequestBodyTimeout
from api.settings import Settings
from tests.api.conftest import assert_problem

#: Below MAX_MESSAGE_LENGTH plus the JSON around it, so a body at the limit is a valid echo.
LIMIT = 1_000


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(Settings(max_body_bytes=LIMIT)))


def chunks(total: int, size: int = 100) -> Iterator[bytes]:
    """Yield a JSON body of ``total`` bytes in ``size``-byte chunks."""
    yield b'{"message":"'
    sent = 14
    while sent < total:
        yield b"x" * size
        sent += size
    yield b'"}'


def test_declared_length_over_limit_is_413(client: TestClient) -> None:
    """A Content-Length over the limit is a 413 that names the limit."""
    response = client.post("/echo", json={"message": "x" * LIMIT})
    body = assert_problem(response, 413, "Request body too large")
    assert str(LIMIT) in body["detail"]


def test_chunked_body_over_limit_is_413(client: TestClient) -> None:
    """A chunked body without Content-Length is cut off once it crosses the limit."""
    response = client.post(
        "/echo", content=chunks(LIMIT * 5), headers={"Content-Type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert_problem(response, 413, "Request body too large")


def test_chunked_body_within_limit_is_accepted(client: TestClient) -> None:
    """A chunked body under the limit is read and echoed."""
    response = client.post(
        "/echo", content=chunks(LIMIT // 2), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200


def test_body_at_limit_is_accepted(client: TestClient) -> None:
    """A body of exactly MAX_BODY_BYTES is accepted."""
    content = b'{"message":"' + b"x" * (LIMIT - 14) + b'"}'
    assert len(content) == LIMIT
    response = client.post("/echo", content=content, headers={"Content-Type": "application/json"})
    assert response.status_code == 200


def test_get_with_large_declared_body_is_413(client: TestClient) -> None:
    """The limit applies to every route, bodies on GET included."""
    response = client.request("GET", "/health", content=b"x" * (LIMIT + 1))
    assert_problem(response, 413, "Request body too large")


@pytest.mark.parametrize(
    ("read_timeout_s", "expected"),
    [(1, "within 1 second."), (2.5, "within 2.5 seconds."), (10, "within 10 seconds.")],
)
def test_timeout_detail_names_the_limit(read_timeout_s: float, expected: str) -> None:
    """The 408's detail gives the timeout with the right unit."""
    error = RequestBodyTimeout(read_timeout_s)
    assert error.status_code == 408
    assert expected in error.detail
