"""GET /todos/{id}: the stand-in upstream on loopback, and every failure kind through a mock."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import anyio
import httpx2
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from api.upstream import problem_for_call_failure
from resilient_http import (
    Attempt,
    CallFailed,
    CircuitOpen,
    RetryBudgetExhausted,
    RetryHintTooLong,
)
from tests.api.conftest import assert_problem
from tests.conftest import Server

TODO_1 = {"userId": 1, "id": 1, "title": "todo number 1", "completed": False}
#: Distinct loopback ports, so each test's upstream has its own retry budget and breaker.
_ports = itertools.count(40_000)

Handler = Callable[[httpx2.Request], httpx2.Response]


@contextmanager
def mocked_client(handler: Handler, deadline_s: float = 5.0) -> Iterator[TestClient]:
    settings = Settings(
        external_api_url=f"http://127.0.0.1:{next(_ports)}",  # type: ignore[arg-type]
        upstream_deadline_s=deadline_s,
    )
    app = create_app(settings, upstream_transport=httpx2.MockTransport(handler))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def answer(status: int, content: bytes = b"", headers: dict[str, str] | None = None) -> Handler:
    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(status, content=content, headers=headers)

    return handler


def fail_with(exc_type: type[httpx2.TransportError]) -> Handler:
    def handler(request: httpx2.Request) -> httpx2.Response:
        raise exc_type("simulated failure of 10.0.0.7:8080", request=request)

    return handler


def test_todo_from_standin_upstream(upstream_server: Server) -> None:
    """The stand-in's todo 1 comes back validated, in the upstream's field names."""
    settings = Settings(external_api_url=upstream_server.url)  # type: ignore[arg-type]
    with TestClient(create_app(settings)) as client:
        response = client.get("/todos/1")
    assert response.status_code == 200
    assert response.json() == TODO_1


def test_missing_todo_from_standin_is_404(upstream_server: Server) -> None:
    """A todo the stand-in does not have is a 404 problem."""
    settings = Settings(external_api_url=upstream_server.url)  # type: ignore[arg-type]
    with TestClient(create_app(settings)) as client:
        response = client.get("/todos/201")
    body = assert_problem(response, 404, "Todo not found")
    assert "201" in body["detail"]
    assert "127.0.0.1" not in response.text


def test_request_id_forwarded_upstream() -> None:
    """The request id goes to the upstream in X-Request-ID."""
    seen: list[str | None] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request.headers.get("x-request-id"))
        return httpx2.Response(200, json=TODO_1)

    with mocked_client(handler) as client:
        response = client.get("/todos/1", headers={"X-Request-ID": "trace-42"})
    assert response.status_code == 200
    assert seen == ["trace-42"]


async def slow_answer(request: httpx2.Request) -> httpx2.Response:
    await anyio.sleep(3)
    return httpx2.Response(200, json=TODO_1)


@pytest.mark.parametrize(
    ("handler", "status", "title"),
    [
        pytest.param(answer(404), 404, "Todo not found", id="upstream-404"),
        pytest.param(answer(500), 502, "Upstream error", id="upstream-500"),
        pytest.param(answer(503), 502, "Upstream error", id="upstream-503"),
        pytest.param(answer(501), 502, "Upstream error", id="upstream-501"),
        pytest.param(answer(400), 502, "Upstream error", id="upstream-400"),
        pytest.param(answer(401), 502, "Upstream error", id="upstream-401"),
        pytest.param(answer(429), 503, "Upstream unavailable", id="upstream-429"),
        pytest.param(answer(504), 504, "Upstream timed out", id="upstream-504"),
        pytest.param(fail_with(httpx2.ConnectError), 502, "Upstream unreachable", id="refused"),
        pytest.param(
            fail_with(httpx2.RemoteProtocolError), 502, "Upstream unreachable", id="disconnected"
        ),
        pytest.param(fail_with(httpx2.ReadTimeout), 504, "Upstream timed out", id="read-timeout"),
        pytest.param(
            fail_with(httpx2.ConnectTimeout), 504, "Upstream timed out", id="connect-timeout"
        ),
        pytest.param(
            answer(200, b"<html>oops</html>"), 502, "Invalid upstream response", id="not-json"
        ),
        pytest.param(
            answer(200, b'{"id": 1}'), 502, "Invalid upstream response", id="missing-fields"
        ),
        pytest.param(
            answer(200, b'{"userId":"1","id":1,"title":"t","completed":false}'),
            502,
            "Invalid upstream response",
            id="lax-types",
        ),
        pytest.param(
            answer(200, b'{"userId":1,"id":2,"title":"t","completed":false}'),
            502,
            "Invalid upstream response",
            id="other-todo",
        ),
        pytest.param(answer(200, b"[]"), 502, "Invalid upstream response", id="array"),
    ],
)
def test_upstream_failure_maps_to_problem(handler: Handler, status: int, title: str) -> None:
    """Each upstream failure kind maps to its status, and the body hides the address."""
    with mocked_client(handler) as client:
        response = client.get("/todos/1")
    body = assert_problem(response, status, title)
    assert "127.0.0.1" not in response.text
    assert "10.0.0.7" not in response.text
    assert body["instance"] == "/todos/1"
    if status == 503:
        assert int(response.headers["retry-after"]) > 0


def test_deadline_maps_to_504() -> None:
    """An upstream slower than UPSTREAM_DEADLINE_S is a 504 within about the deadline."""
    with mocked_client(slow_answer, deadline_s=0.3) as client:
        response = client.get("/todos/1")
    assert_problem(response, 504, "Upstream timed out")
    assert response.elapsed.total_seconds() < 2.5


def test_unconfigured_upstream_is_503() -> None:
    """Without EXTERNAL_API_URL the route is a 503 that names the variable to set."""
    with TestClient(create_app(Settings())) as client:
        response = client.get("/todos/1")
    body = assert_problem(response, 503, "Upstream not configured")
    assert "EXTERNAL_API_URL" in body["detail"]


@pytest.mark.parametrize(
    "path", ["/todos/0", "/todos/-1", "/todos/abc", "/todos/1.5", "/todos/99999999999999999999"]
)
def test_invalid_todo_id_is_422(path: str) -> None:
    """An id that is not an integer from 1 to 2**31-1 is a 422 that names the ``id`` path
    parameter, and no call goes upstream."""
    calls: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        calls.append(request)
        return httpx2.Response(200, json=TODO_1)

    with mocked_client(handler) as client:
        response = client.get(path)
    body = assert_problem(response, 422, "Request validation failed")
    assert [error["loc"] for error in body["errors"]] == [["path", "id"]]
    assert calls == []


def call_failure(error_type: type[CallFailed], **extra: float) -> CallFailed:
    attempts = [Attempt(number=1, outcome="503", wait_s=0.0, elapsed_s=0.1, status=503)]
    return error_type(
        "GET http://10.0.0.7/todos/1 failed",
        method="GET",
        target="http://10.0.0.7/todos/1",
        attempts=attempts,
        **extra,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("error", "retry_after"),
    [
        pytest.param(call_failure(CircuitOpen, retry_in_s=12.2), "13", id="breaker-open"),
        pytest.param(call_failure(RetryBudgetExhausted), "5", id="budget-exhausted"),
        pytest.param(call_failure(RetryHintTooLong, hint_s=90.0), "90", id="long-retry-hint"),
    ],
)
def test_paused_upstream_maps_to_503(error: CallFailed, retry_after: str) -> None:
    """Breaker open, budget exhausted or a long hint is a 503 with Retry-After."""
    problem = problem_for_call_failure(error)
    assert problem.status_code == 503
    assert problem.kind.title == "Upstream unavailable"
    assert problem.headers == {"Retry-After": retry_after}
    assert "10.0.0.7" not in problem.detail
