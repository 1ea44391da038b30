"""Settings of the live tests, which run inside the compose network against the real stack."""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this folder as live, so the default run deselects them."""
    for item in items:
        if "tests/live/" in item.nodeid or item.nodeid.startswith("live/"):
            item.add_marker(pytest.mark.live)


def stack_url(variable: str) -> str:
    """Return the URL in ``variable``, or fail with a message saying how to run live tests."""
    value = os.environ.get(variable)
    if not value:
        pytest.fail(
            f"{variable} is not set. Live tests run against the compose stack: "
            "docker compose run --rm tests",
            pytrace=False,
        )
    return value.rstrip("/")


@pytest.fixture(scope="session")
def api_url() -> str:
    """Base URL of the api container."""
    return stack_url("API_BASE_URL")


@pytest.fixture(scope="session")
def upstream_url() -> str:
    """Base URL of the stand-in upstream container."""
    return stack_url("UPSTREAM_URL")
