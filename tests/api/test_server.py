"""The api under its real gunicorn server, started with ``python -m api``."""

from __future__ import annotations

import signal

import httpx2

from tests.conftest import Server, free_port, start_server


def test_gunicorn_serves_lesson_contract(api_server: Server) -> None:
    """The real server answers the lesson's requests byte for byte."""
    health = httpx2.get(f"{api_server.url}/health")
    echo = httpx2.post(f"{api_server.url}/echo", json={"message": "hello"})
    assert health.status_code == 200
    assert health.content == b'{"status":"ok"}'
    assert echo.status_code == 200
    assert echo.content == b'{"message":"hello"}'


def test_gunicorn_honours_port_and_exits_on_sigterm() -> None:
    """PORT picks the listening port, and SIGTERM stops the server with exit code 0."""
    port = free_port()
    server = start_server("api", {"HOST": "127.0.0.1", "WEB_CONCURRENCY": "2"}, port)
    try:
        assert httpx2.get(f"http://127.0.0.1:{port}/health").status_code == 200
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=30) == 0
    finally:
        server.stop()
