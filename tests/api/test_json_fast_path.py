"""The JSON fast path responds exactly as FastAPI's full path does, byte for byte."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.app import create_app
from api.error_handlers import install_error_handlers
from api.errors import TODO_NOT_FOUND, ProblemError
from api.middleware.json_fast_path import JSONFastPathMiddleware, takes_fast_path
from api.routes import echo, summarize, todos
from api.schemas import EchoRequest, EchoResponse
from api.settings import Settings
from api.strict_json import StrictJSONRoute, decode_json_body

REQUEST_ID = "fast-path-test"
LONG_TEXT = "x" * 1_000


def without_fast_path(app: FastAPI) -> FastAPI:
    """Remove the fast path from ``app`` before its middleware stack is built."""
    app.user_middleware = [m for m in app.user_middleware if m.cls is not JSONFastPathMiddleware]
    return app


def make_clients(**settings: Any) -> tuple[TestClient, TestClient]:
    fast = create_app(Settings(**settings))
    full = without_fast_path(create_app(Settings(**settings)))
    assert any(m.cls is JSONFastPathMiddleware for m in fast.user_middleware)
    return (
        TestClient(fast, raise_server_exceptions=False),
        TestClient(full, raise_server_exceptions=False),
    )


@pytest.fixture(scope="module")
def clients() -> tuple[TestClient, TestClient]:
    return make_clients()


def exchange(
    client: TestClient, method: str, path: str, body: bytes, content_type: str | None
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    headers = {"X-Request-ID": REQUEST_ID}
    if content_type is not None:
        headers["Content-Type"] = content_type
    response = client.request(method, path, content=body, headers=headers)
    return response.status_code, response.headers.raw, response.content


def assert_same_response(
    clients: tuple[TestClient, TestClient],
    path: str,
    body: bytes,
    content_type: str | None = "application/json",
    method: str = "POST",
) -> None:
    fast, full = clients
    fast_status, fast_headers, fast_body = exchange(fast, method, path, body, content_type)
    full_status, full_headers, full_body = exchange(full, method, path, body, content_type)
    assert fast_status == full_status
    assert fast_headers == full_headers
    assert fast_body == full_body


BODY_CASES = [
    pytest.param("/echo", b'{"message":"hello"}', id="echo-valid"),
    pytest.param("/echo", '{"message":"caf\u00e9 \u2603"}'.encode(), id="echo-utf8"),
    pytest.param("/echo", b'{"message":"caf\\u00e9"}', id="echo-escaped-unicode"),
    pytest.param("/echo", b'{"message":"\\ud83d\\ude00"}', id="echo-surrogate-pair"),
    pytest.param("/echo", b'{"message":"\\ud800"}', id="echo-lone-surrogate"),
    pytest.param("/echo", b'{"message":"a\\u0000b"}', id="echo-nul"),
    pytest.param("/echo", json.dumps({"message": LONG_TEXT}).encode(), id="echo-max-length"),
    pytest.param("/echo", json.dumps({"message": LONG_TEXT + "x"}).encode(), id="echo-too-long"),
    pytest.param("/echo", b'{"message":42}', id="echo-wrong-type"),
    pytest.param("/echo", b'{"message":"a","extra":1}', id="echo-extra-field"),
    pytest.param("/echo", b'{"message":"a","message":"b"}', id="echo-duplicate-key"),
    pytest.param("/echo", b"{}", id="echo-missing-field"),
    pytest.param("/echo", b"", id="empty-body"),
    pytest.param("/echo", b"   ", id="blank-body"),
    pytest.param("/echo", b"null", id="null-body"),
    pytest.param("/echo", b"[]", id="array-body"),
    pytest.param("/echo", b'"message"', id="string-body"),
    pytest.param("/echo", b"{", id="truncated-json"),
    pytest.param("/echo", b'{"message":"a"} x', id="trailing-garbage"),
    pytest.param("/echo", b'\xef\xbb\xbf{"message":"a"}', id="utf8-bom"),
    pytest.param("/echo", b'{"message":"\xff"}', id="invalid-utf8"),
    pytest.param("/echo", b'{"message":' + b"[" * 40 + b"]" * 40 + b"}", id="deep-nesting"),
    pytest.param("/summarize-request", b'{"title":"t","body":"b","priority":3}', id="sum-valid"),
    pytest.param("/summarize-request", b'{"title":"t","body":"b","priority":NaN}', id="sum-nan"),
    pytest.param("/summarize-request", b'{"title":"t","body":"b","priority":1.0}', id="sum-float"),
    pytest.param("/summarize-request", b'{"title":"t","body":"b","priority":true}', id="sum-bool"),
    pytest.param("/summarize-request", b'{"title":"t","body":"b","priority":6}', id="sum-range"),
    pytest.param("/summarize-request", b'{"title":"t","body":"b","priority":1e400}', id="sum-inf"),
    pytest.param(
        "/summarize-request",
        b'{"title":"t","body":"b","priority":' + b"9" * 30 + b"}",
        id="sum-huge-int",
    ),
    pytest.param("/summarize-request", b'{"title":"t","priority":3}', id="sum-missing"),
]


@pytest.mark.parametrize(("path", "body"), BODY_CASES)
def test_fast_path_matches_full_path_body(
    clients: tuple[TestClient, TestClient], path: str, body: bytes
) -> None:
    """Status, headers and body are the same with and without the fast path."""
    assert_same_response(clients, path, body)


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "application/json;charset=UTF-8",
        "APPLICATION/JSON",
        "application/vnd.api+json",
        "application/json; charset=latin-1",
        "text/plain",
        None,
    ],
)
def test_fast_path_matches_full_path_content_type(
    clients: tuple[TestClient, TestClient], content_type: str | None
) -> None:
    """Every content type, JSON or not, gets the same response on both paths."""
    assert_same_response(clients, "/echo", b'{"message":"hello"}', content_type)


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/echo"), ("PUT", "/echo"), ("POST", "/echo/"), ("POST", "/Echo"), ("POST", "/")],
)
def test_fast_path_matches_full_path_routing(
    clients: tuple[TestClient, TestClient], method: str, path: str
) -> None:
    """Other methods and paths near the fast routes get the same 404, 405 or redirect."""
    assert_same_response(clients, path, b'{"message":"hello"}', method=method)


def test_fast_path_matches_full_path_too_large() -> None:
    """A body over MAX_BODY_BYTES, declared or chunked, gets the same 413 on both paths."""
    clients = make_clients(max_body_bytes=64)
    body = json.dumps({"message": "x" * 100}).encode()
    assert_same_response(clients, "/echo", body)

    headers = {"X-Request-ID": REQUEST_ID, "Content-Type": "application/json"}
    answers = [
        client.post("/echo", content=iter([body[:50], body[50:]]), headers=headers)
        for client in clients
    ]
    assert answers[0].status_code == answers[1].status_code == 413
    assert answers[0].content == answers[1].content


@given(
    message=st.one_of(
        st.text(max_size=1_100),
        st.integers(),
        st.floats(allow_nan=False),
        st.none(),
        st.booleans(),
        st.lists(st.text(max_size=3), max_size=3),
    ),
    extra=st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fast_path_matches_full_path_fuzzed(message: object, extra: dict[str, int]) -> None:
    """Generated echo bodies, valid or not, get the same response on both paths."""
    body = json.dumps({"message": message, **extra}).encode()
    assert_same_response(FUZZ_CLIENTS, "/echo", body)


FUZZ_CLIENTS = make_clients()


def test_fast_path_covers_body_routes_only() -> None:
    """The echo and summary routes qualify. The todo route, with a path parameter, does not."""
    body_routes = [*echo.router.routes, *summarize.router.routes]
    assert all(takes_fast_path(route) for route in body_routes)  # type: ignore[arg-type]
    assert not any(takes_fast_path(route) for route in todos.router.routes)  # type: ignore[arg-type]


def app_with_failing_endpoint(error: Exception, fast_path: bool) -> FastAPI:
    router = APIRouter(route_class=StrictJSONRoute)

    @router.post("/fail")
    async def fail(request: EchoRequest) -> EchoResponse:
        raise error

    app = FastAPI()
    install_error_handlers(app)
    app.include_router(router)
    if fast_path:
        app.add_middleware(
            JSONFastPathMiddleware,
            routes=router.routes,
            decode=decode_json_body,
            exception_handlers=app.exception_handlers,
        )
    return app


def test_fast_path_renders_endpoint_error_as_full_path() -> None:
    """A ProblemError raised by an endpoint becomes the same problem on both paths."""
    error = ProblemError(TODO_NOT_FOUND, "No todo has id 7.")
    clients = (
        TestClient(app_with_failing_endpoint(error, fast_path=True)),
        TestClient(app_with_failing_endpoint(error, fast_path=False)),
    )
    responses = [client.post("/fail", json={"message": "a"}) for client in clients]
    assert responses[0].status_code == responses[1].status_code == 404
    assert responses[0].content == responses[1].content


def test_fast_path_reraises_unhandled_endpoint_error() -> None:
    """An exception without a handler leaves the fast path unchanged, as on the full path."""
    app = app_with_failing_endpoint(RuntimeError("boom"), fast_path=True)
    with pytest.raises(RuntimeError, match="boom"):
        TestClient(app).post("/fail", json={"message": "a"})
