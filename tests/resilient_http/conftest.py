"""Servers for the client tests: a scripted HTTP server in process, and the stand-in upstream."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import Server
from tests.resilient_http.stand_in import Caller, StandIn


@dataclass(frozen=True)
class Answer:
    """One scripted answer: its status, an optional delay before the headers, and a body."""

    status: int = 200
    delay_s: float = 0.0
    body: bytes = b'{"ok":true}'


@dataclass
class ScriptedServer:
    """Serves ``script`` in order, then ``fallback``; records the headers of every request."""

    url: str
    script: deque[Answer] = field(default_factory=deque)
    fallback: Answer = field(default_factory=Answer)
    requests: list[dict[str, str]] = field(default_factory=list)

    def answer_with(self, *answers: Answer) -> None:
        self.script.extend(answers)

    @property
    def hits(self) -> int:
        return len(self.requests)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _serve(self) -> None:
        scripted = self.server.scripted
        scripted.requests.append(dict(self.headers.items()))
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        answer = scripted.script.popleft() if scripted.script else scripted.fallback
        if answer.delay_s:
            time.sleep(answer.delay_s)
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_GET = _serve
    do_POST = _serve
    do_PUT = _serve
    do_DELETE = _serve

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    scripted: ScriptedServer


@pytest.fixture
def scripted_server() -> Iterator[ScriptedServer]:
    """A fresh scripted server on a loopback port, stopped after the test."""
    server = _Server(("127.0.0.1", 0), _Handler)
    host, port = server.server_address[:2]
    server.scripted = ScriptedServer(url=f"http://{host!s}:{port}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.scripted
    server.shutdown()
    server.server_close()


@pytest.fixture
def stand_in(upstream_server: Server) -> StandIn:
    """The stand-in upstream (a real ``python -m upstream`` on loopback) with a fresh fault key."""
    return StandIn(upstream_server.url)


@pytest.fixture(params=["sync", "async"])
def caller(request: pytest.FixtureRequest, upstream_server: Server) -> Caller:
    """A caller of the stand-in through the sync, then the async client, with fresh host state."""
    return Caller(request.param, upstream_server.url)
