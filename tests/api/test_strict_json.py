"""Bad input is a 4xx by kind, never a 5xx: each kind with several instances, in process."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.schemas import MAX_BODY_LENGTH, MAX_MESSAGE_LENGTH, MAX_TITLE_LENGTH
from api.settings import Settings
from tests.api.conftest import assert_problem

JSON = {"Content-Type": "application/json"}
SUMMARY_PREFIX = b'{"title":"t","body":"b","priority":'


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(Settings()), raise_server_exceptions=False)


@pytest.mark.parametrize(
    ("path", "content"),
    [
        pytest.param("/echo", b'{"message":"hel', id="truncated"),
        pytest.param("/echo", b'{"message":"hello"} x', id="trailing-garbage"),
        pytest.param("/echo", b'{"message":"hello"}{}', id="two-documents"),
        pytest.param("/echo", b'{"message":"\xff\xfe"}', id="invalid-utf8"),
        pytest.param("/echo", b'{"message":"\xed\xa0\x80"}', id="utf8-encoded-surrogate"),
        pytest.param("/echo", b'\xef\xbb\xbf{"message":"hello"}', id="utf8-bom"),
        pytest.param("/echo", b'{"message":"\\ud800"}', id="lone-high-surrogate"),
        pytest.param("/echo", b'{"message":"x\\udfff"}', id="lone-low-surrogate"),
        pytest.param("/echo", b'{"\\ud800":"x"}', id="lone-surrogate-in-key"),
        pytest.param("/echo", b'{"message":["\\udc00"]}', id="lone-surrogate-in-array"),
        pytest.param("/summarize-request", SUMMARY_PREFIX + b"NaN}", id="nan"),
        pytest.param("/summarize-request", SUMMARY_PREFIX + b"Infinity}", id="infinity"),
        pytest.param("/summarize-request", SUMMARY_PREFIX + b"-Infinity}", id="minus-infinity"),
        pytest.param("/summarize-request", SUMMARY_PREFIX + b"1e400}", id="float-overflow"),
        pytest.param("/summarize-request", SUMMARY_PREFIX + b"-1.5e999}", id="negative-overflow"),
        pytest.param("/summarize-request", SUMMARY_PREFIX + b"1" * 21 + b"}", id="int-21-digits"),
        pytest.param(
            "/summarize-request", SUMMARY_PREFIX + b"9" * 5000 + b"}", id="int-5000-digits"
        ),
        pytest.param("/echo", b"[" * 33 + b"]" * 33, id="nesting-33"),
        pytest.param("/echo", b'{"a":' * 40 + b"1" + b"}" * 40, id="object-nesting-40"),
        pytest.param("/echo", b"[" * 100_000 + b"]" * 100_000, id="nesting-100000"),
        pytest.param("/echo", b'{"message":"a","message":"b"}', id="duplicate-key"),
        pytest.param("/echo", b"{'message':'hello'}", id="single-quotes"),
        pytest.param("/echo", b'{"message":"hello",}', id="trailing-comma"),
    ],
)
def test_undecodable_json_returns_400(client: TestClient, path: str, content: bytes) -> None:
    """JSON that does not decode, or is not strict JSON, is a 400 whose detail names the reason."""
    response = client.post(path, content=content, headers=JSON)
    body = assert_problem(response, 400, "Invalid JSON")
    assert body["type"] == "/problems/invalid-json"
    assert isinstance(body["detail"], str)
    assert len(response.content) < 1000


@pytest.mark.parametrize(
    ("path", "content", "error_type"),
    [
        pytest.param("/echo", b"[]", "model_attributes_type", id="array"),
        pytest.param("/echo", b'"x"', "model_attributes_type", id="string"),
        pytest.param("/echo", b"null", "model_attributes_type", id="null"),
        pytest.param("/echo", b"1", "model_attributes_type", id="number"),
        pytest.param("/echo", b"{}", "missing", id="empty-object"),
        pytest.param("/echo", b"", "missing", id="empty-body"),
        pytest.param(
            "/summarize-request", b'{"title":"t","body":"b"}', "missing", id="no-priority"
        ),
    ],
)
def test_wrong_shape_returns_422(
    client: TestClient, path: str, content: bytes, error_type: str
) -> None:
    """Valid JSON of the wrong shape is a 422 listing what is wrong."""
    response = client.post(path, content=content, headers=JSON)
    body = assert_problem(response, 422, "Request validation failed")
    errors = body["errors"]
    assert isinstance(errors, list)
    assert errors[0]["type"] == error_type


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"Content-Type": "text/plain"}, id="text-plain"),
        pytest.param({"Content-Type": "application/x-www-form-urlencoded"}, id="form"),
        pytest.param({"Content-Type": "multipart/form-data; boundary=x"}, id="multipart"),
        pytest.param({"Content-Type": "application/octet-stream"}, id="octet-stream"),
        pytest.param({"Content-Type": "application/xml"}, id="xml"),
        pytest.param({"Content-Type": "application/json; charset=latin-1"}, id="latin1-charset"),
        pytest.param({}, id="no-content-type"),
    ],
)
@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b'{"message":"hello"}', id="json-bytes"),
        pytest.param(b"\x00\x01\xfe\xff" * 8, id="binary"),
        pytest.param(b"message=hello", id="form-bytes"),
    ],
)
def test_non_json_body_returns_415(
    client: TestClient, headers: dict[str, str], content: bytes
) -> None:
    """A body not sent as JSON is a 415 whose detail names the media type to send."""
    response = client.post("/echo", content=content, headers=headers)
    body = assert_problem(response, 415, "Unsupported media type")
    assert "application/json" in str(body["detail"])


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "application/merge-patch+json"],
)
def test_json_content_types_accepted(client: TestClient, content_type: str) -> None:
    """application/json, with or without a UTF-8 charset, and +json types are accepted."""
    response = client.post(
        "/echo", content=b'{"message":"hello"}', headers={"Content-Type": content_type}
    )
    assert response.status_code == 200
    assert response.content == b'{"message":"hello"}'


@pytest.mark.parametrize(
    ("path", "body", "error_type"),
    [
        pytest.param(
            "/summarize-request",
            {"title": "t", "body": "b", "priority": "1"},
            "int_type",
            id="int-from-string",
        ),
        pytest.param(
            "/summarize-request",
            {"title": "t", "body": "b", "priority": True},
            "int_type",
            id="int-from-bool",
        ),
        pytest.param(
            "/summarize-request",
            {"title": "t", "body": "b", "priority": 1.5},
            "int_type",
            id="int-from-fraction",
        ),
        pytest.param(
            "/summarize-request",
            {"title": "t", "body": "b", "priority": 1.0},
            "int_type",
            id="int-from-float",
        ),
        pytest.param("/echo", {"message": 42}, "string_type", id="string-from-int"),
        pytest.param("/echo", {"message": 4.2}, "string_type", id="string-from-float"),
        pytest.param("/echo", {"message": True}, "string_type", id="string-from-bool"),
        pytest.param("/echo", {"message": None}, "string_type", id="string-from-null"),
        pytest.param("/echo", {"message": ["hello"]}, "string_type", id="string-from-array"),
        pytest.param("/echo", {"message": "hi", "extra": 1}, "extra_forbidden", id="unknown-field"),
        pytest.param(
            "/summarize-request",
            {"title": "t", "body": "b", "priority": 1, "Title": "x"},
            "extra_forbidden",
            id="unknown-field-case",
        ),
    ],
)
def test_lax_types_return_422(client: TestClient, path: str, body: object, error_type: str) -> None:
    """No lax coercion and no unknown fields: each is a 422 naming the field."""
    response = client.post(path, json=body)
    problem = assert_problem(response, 422, "Request validation failed")
    errors = problem["errors"]
    assert isinstance(errors, list)
    assert errors[0]["type"] == error_type


@pytest.mark.parametrize(
    ("path", "body", "error_type"),
    [
        pytest.param(
            "/summarize-request",
            {"title": "t", "body": "b", "priority": 0},
            "greater_than_equal",
            id="priority-0",
        ),
        pytest.param(
            "/summarize-request",
            {"title": "t", "body": "b", "priority": 6},
            "less_than_equal",
            id="priority-6",
        ),
        pytest.param(
            "/summarize-request",
            {"title": "t", "body": "b", "priority": -(2**63)},
            "greater_than_equal",
            id="priority-min-int64",
        ),
        pytest.param(
            "/summarize-request",
            {"title": "t" * (MAX_TITLE_LENGTH + 1), "body": "b", "priority": 1},
            "string_too_long",
            id="title-too-long",
        ),
        pytest.param(
            "/summarize-request",
            {"title": "t", "body": "b" * (MAX_BODY_LENGTH + 1), "priority": 1},
            "string_too_long",
            id="body-too-long",
        ),
        pytest.param(
            "/echo",
            {"message": "m" * (MAX_MESSAGE_LENGTH + 1)},
            "string_too_long",
            id="message-too-long",
        ),
        pytest.param(
            "/echo", {"message": "a\u0000b"}, "string_pattern_mismatch", id="nul-in-message"
        ),
        pytest.param(
            "/summarize-request",
            {"title": "\u0000", "body": "b", "priority": 1},
            "string_pattern_mismatch",
            id="nul-in-title",
        ),
    ],
)
def test_out_of_bounds_returns_422(
    client: TestClient, path: str, body: object, error_type: str
) -> None:
    """Values outside the documented bounds, and NUL characters, are a 422."""
    response = client.post(path, json=body)
    problem = assert_problem(response, 422, "Request validation failed")
    errors = problem["errors"]
    assert isinstance(errors, list)
    assert errors[0]["type"] == error_type


@pytest.mark.parametrize(
    "message",
    ["", "m" * MAX_MESSAGE_LENGTH, "\U0001f600 emoji", 'quote " and \\ backslash', "\u2028"],
)
def test_echo_accepts_bounded_text(client: TestClient, message: str) -> None:
    """Text within the bounds, astral characters included, is echoed unchanged."""
    response = client.post("/echo", json={"message": message})
    assert response.status_code == 200
    assert response.json() == {"message": message}


def test_surrogate_pair_escape_accepted(client: TestClient) -> None:
    """A correctly paired surrogate escape is a normal character."""
    response = client.post("/echo", content=b'{"message":"\\ud83d\\ude00"}', headers=JSON)
    assert response.status_code == 200
    assert response.json() == {"message": "\U0001f600"}


def test_priority_bounds_accepted(client: TestClient) -> None:
    """Priorities 1 and 5, the documented range's ends, are accepted."""
    for priority in (1, 5):
        body = {"title": "t", "body": "b", "priority": priority}
        assert client.post("/summarize-request", json=body).status_code == 200
