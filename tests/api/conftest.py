"""Helpers shared by the api tests."""

from __future__ import annotations

from typing import Any

import httpx2

PROBLEM_MEMBERS = {"type", "title", "status", "detail", "instance", "request_id"}


def assert_problem(response: httpx2.Response, status: int, title: str) -> dict[str, Any]:
    """Check the status, the problem media type, the members and the title; return the body."""
    assert response.status_code == status, response.content[:300]
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert set(body) >= PROBLEM_MEMBERS
    assert body["title"] == title
    assert body["status"] == status
    assert body["request_id"] == response.headers["x-request-id"]
    return body
