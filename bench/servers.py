"""Start and stop the servers the benchmarks measure, on loopback only.

Each server runs in a new process group that this module creates, so stopping it reaches gunicorn's
master and its workers and nothing else.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from api.settings import ServerSettings, Settings

HOST = "127.0.0.1"
REPO = Path(__file__).resolve().parent.parent
BENCH_APPS = REPO / "bench" / "apps"
STARTUP_TIMEOUT_S = 30.0
#: Gunicorn's graceful timeout is 20 s in the api; benchmark requests finish long before that.
STOP_TIMEOUT_S = 25.0
WORKERS = 2
#: Lines of a server's output shown when it fails to start.
LOG_LINES_ON_FAILURE = 20
#: The api's settings variables, which ``serve`` removes from the inherited environment, so the
#: caller's shell cannot change what is measured.
API_VARIABLES = frozenset(
    name.upper() for settings in (Settings, ServerSettings) for name in settings.model_fields
)


@dataclass(frozen=True)
class Target:
    """A server to measure: its label, its environment and how to start it on a port."""

    name: str
    env: Mapping[str, str]
    #: The module of an app under ``bench/apps`` that gunicorn serves; None for the project api.
    bench_app: str | None = None

    def command(self, port: int) -> list[str]:
        if self.bench_app is None:
            # The api reads PORT and HOST from the environment, like in its container.
            return [sys.executable, "-m", "api"]
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(WORKERS),
            "--worker-class",
            "uvicorn_worker.UvicornWorker",
            "--pythonpath",
            str(BENCH_APPS),
            f"{self.bench_app}:app",
        ]


@dataclass
class RunningServer:
    target: Target
    process: subprocess.Popen[bytes]
    port: int

    @property
    def master_pid(self) -> int:
        return self.process.pid


def free_port() -> int:
    """Return a TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


#: The project's api as its container runs it: ``python -m api`` with JSON logs at INFO and
#: unbuffered standard output (``PYTHONUNBUFFERED=1``, as in Dockerfile.api).
PROJECT_API = Target(
    "project api",
    {
        "HOST": HOST,
        "WEB_CONCURRENCY": str(WORKERS),
        "LOG_LEVEL": "info",
        "PYTHONUNBUFFERED": "1",
    },
)
BARE_FASTAPI = Target("bare FastAPI", {}, "bare_fastapi")
RAW_ASGI = Target("raw ASGI", {}, "raw_asgi")


def post(port: int, path: str, body: bytes) -> tuple[int, bytes]:
    """Send one JSON POST to the server on ``port`` and return the status and the body."""
    connection = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        connection.request("POST", path, body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _wait_until_serving(server: RunningServer, probe_path: str, probe_body: bytes) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"{server.target.name} exited with {server.process.returncode} at start-up"
            )
        try:
            status, _ = post(server.port, probe_path, probe_body)
        except OSError:
            time.sleep(0.1)
            continue
        if status == http.client.OK and len(worker_pids(server.master_pid)) >= WORKERS:
            return
        time.sleep(0.1)
    raise RuntimeError(
        f"{server.target.name} did not serve {probe_path} within {STARTUP_TIMEOUT_S}s"
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    # The server leads the process group that Popen created for it (start_new_session).
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextmanager
def serve(
    target: Target, output: Path, probe_path: str, probe_body: bytes
) -> Iterator[RunningServer]:
    """Start ``target`` on a free loopback port, wait until ``probe_path`` returns 200 and all
    workers run, and stop the whole process group on exit, errors and Ctrl-C included.

    The server's standard output and error go to ``output``.
    """
    port = free_port()
    base_env = {key: value for key, value in os.environ.items() if key not in API_VARIABLES}
    env = {**base_env, **target.env, "PORT": str(port)}
    with output.open("ab") as log:
        process = subprocess.Popen(  # noqa: S603 - a fixed argument list, no shell
            target.command(port), env=env, cwd=REPO, stdout=log, stderr=log, start_new_session=True
        )
    server = RunningServer(target, process, port)
    try:
        try:
            _wait_until_serving(server, probe_path, probe_body)
        except RuntimeError as exc:
            tail = output.read_text(errors="replace").splitlines()[-LOG_LINES_ON_FAILURE:]
            raise RuntimeError(f"{exc}. Last lines of its output:\n" + "\n".join(tail)) from exc
        yield server
    finally:
        _stop(process)


def worker_pids(master_pid: int) -> list[int]:
    """Return the pids of the gunicorn workers, the children of ``master_pid``."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    try:
        return [int(pid) for pid in children.read_text().split()]
    except OSError:
        return []


def rss_kb(pid: int) -> int | None:
    """Return the resident set size of ``pid`` in kB, or None once the process is gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return None
