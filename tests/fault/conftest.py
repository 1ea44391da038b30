"""Settings of the fault tests, which run on the host against a compose stack that is up.

COMPOSE_PROJECT_NAME names the project, and API_PORT is the api's port on 127.0.0.1 (8000 unless
set). Both must match the values the stack was started with, for example:

    export COMPOSE_PROJECT_NAME=aeffault API_PORT=8000
    docker compose up -d --wait
    pytest -m fault tests/fault
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.fault.stack import ComposeStack

DEFAULT_API_PORT = "8000"
#: Seconds to wait for the api to become healthy again after a test left it stopped.
RESTORE_TIMEOUT_S = 60.0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this folder as a fault test, so the default run deselects them."""
    for item in items:
        if "tests/fault/" in item.nodeid or item.nodeid.startswith("fault/"):
            item.add_marker(pytest.mark.fault)


@pytest.fixture(scope="session")
def stack() -> ComposeStack:
    """The compose project under test, with its api reachable on loopback."""
    project = os.environ.get("COMPOSE_PROJECT_NAME")
    if not project:
        pytest.fail(
            "COMPOSE_PROJECT_NAME is not set. Fault tests drive a running compose stack: "
            "start it with `docker compose -p NAME up -d --wait`, then run "
            "`COMPOSE_PROJECT_NAME=NAME pytest -m fault tests/fault`.",
            pytrace=False,
        )
    port = os.environ.get("API_PORT", DEFAULT_API_PORT)
    return ComposeStack(project=project, api_url=f"http://127.0.0.1:{port}")


@pytest.fixture(autouse=True)
def restore_api(stack: ComposeStack) -> Iterator[None]:
    """Start the api again after a test that failed while the api was stopped, so the later
    tests find the stack up."""
    yield
    if stack.container_state("api").status != "running":
        stack.compose("start", "api")
        stack.wait_for_health("api", RESTORE_TIMEOUT_S)
