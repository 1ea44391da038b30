"""Fixtures shared by every test: a clean environment and real servers on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest

from api.settings import ServerSettings, Settings
from caller.settings import CallerSettings
from upstream.settings import UpstreamSettings

#: Variables the services read; tests start from none of them so the host's shell cannot leak in.
#: They are the settings classes' fields, plus the metrics folder that prometheus-client reads
#: itself.
SERVICE_VARIABLES = frozenset(
    {
        name.upper()
        for settings_class in (Settings, ServerSettings, CallerSettings, UpstreamSettings)
        for name in settings_class.model_fields
    }
    | {"PROMETHEUS_MULTIPROC_DIR"}
)
STARTUP_TIMEOUT_S = 20.0


@pytest.fixture(autouse=True)
def clean_environment(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Remove the services' variables from the environment of every test that is not live.

    Live tests read where the stack is from those variables, so they keep them.
    """
    if request.node.get_closest_marker("live"):
        return
    for name in SERVICE_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def free_port() -> int:
    """Return a TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    """A service started as a subprocess on loopback."""

    process: subprocess.Popen[bytes]
    url: str

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(
    module: str,
    env: dict[str, str],
    port: int,
    *,
    log_path: Path | None = None,
    ready_path: str = "/health",
) -> Server:
    """Run ``python -m module`` with ``env`` and wait until ``ready_path`` returns 200.

    The server's output goes to ``log_path`` when given, and is discarded otherwise.
    """
    base_env = {key: value for key, value in os.environ.items() if key not in SERVICE_VARIABLES}
    with log_path.open("wb") if log_path else open(os.devnull, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", module],
            env={**base_env, **env, "PORT": str(port)},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            where = f"; its output is in {log_path}" if log_path else ""
            raise RuntimeError(
                f"python -m {module} exited with {process.returncode} at start-up{where}"
            )
        try:
            if httpx2.get(f"{server.url}{ready_path}", timeout=1).status_code == httpx2.codes.OK:
                return server
        except httpx2.TransportError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(
        f"python -m {module} did not return 200 on {ready_path} within {STARTUP_TIMEOUT_S}s"
    )


@pytest.fixture(scope="session")
def upstream_server() -> Iterator[Server]:
    """The stand-in upstream on a loopback port."""
    server = start_server("upstream", {"UPSTREAM_HOST": "127.0.0.1"}, free_port())
    yield server
    server.stop()


@pytest.fixture(scope="session")
def api_server(upstream_server: Server) -> Iterator[Server]:
    """The api under its real gunicorn configuration on a loopback port, calling the stand-in."""
    env = {"HOST": "127.0.0.1", "WEB_CONCURRENCY": "1", "EXTERNAL_API_URL": upstream_server.url}
    server = start_server("api", env, free_port())
    yield server
    server.stop()
