"""The running stack: the api under gunicorn in its container, the stand-in and the caller."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import httpx2
import pytest

pytestmark = pytest.mark.live

LESSON_CASES = [
    pytest.param("GET", "/health", None, b'{"status":"ok"}', id="health"),
    pytest.param("POST", "/echo", {"message": "hello"}, b'{"message":"hello"}', id="echo"),
    pytest.param(
        "POST",
        "/summarize-request",
        {"title": "Bug report", "body": "Something broke", "priority": 1},
        b'{"field_count":3,"fields":["title","body","priority"],"title_length":10}',
        id="summarize-request",
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "expected"), LESSON_CASES)
def test_api_lesson_contract(
    api_url: str, method: str, path: str, body: object, expected: bytes
) -> None:
    """The containerised api returns the lesson's responses byte for byte."""
    response = httpx2.request(method, f"{api_url}{path}", json=body)
    assert response.status_code == 200
    assert response.content == expected


def test_api_rejects_wrong_type(api_url: str) -> None:
    """A wrong type is a 422 with a JSON error body."""
    response = httpx2.post(f"{api_url}/echo", json={"message": 42})
    assert response.status_code == 422
    assert "json" in response.headers["content-type"]


def test_upstream_serves_todo(upstream_url: str) -> None:
    """The stand-in returns /todos/1 in JSONPlaceholder's shape."""
    response = httpx2.get(f"{upstream_url}/todos/1")
    assert response.status_code == 200
    assert response.json()["id"] == 1


def test_caller_run_passes_against_stack(api_url: str, tmp_path: Path) -> None:
    """``caller run`` inside the network passes every check and writes its run log."""
    run_log = tmp_path / "runs.jsonl"
    result = subprocess.run(
        ["caller", "run"],
        env={**os.environ, "CALLER_RUN_LOG": str(run_log)},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    records = [json.loads(line) for line in run_log.read_text().splitlines()]
    assert records
    assert all(record["outcome"] == "pass" for record in records)
