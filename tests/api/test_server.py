"""The api under its real gunicorn server, started with ``python -m api``."""

from __future__ import annotations

import contextlib
import signal
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2
import pytest

from tests.conftest import Server, free_port, start_server


def test_gunicorn_serves_lesson_contract(api_server: Server) -> None:
    """The real server returns the lesson's responses byte for byte."""
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


UPLOAD_BYTES = 100 * 1024 * 1024
UPLOAD_CHUNK = 64 * 1024
CONCURRENT_UPLOADS = 20
#: Growth of a worker's peak RSS allowed during the uploads. Buffering the bodies would need
#: about 2 GB (20 x 100 MB); the limit lets the api hold at most 1 MiB of each.
MAX_RSS_GROWTH_KB = 150 * 1024


def upload_chunks() -> Iterator[bytes]:
    """Yield a 100 MB JSON body in 64 KiB chunks, without holding it in memory."""
    yield b'{"message":"'
    chunk = b"x" * UPLOAD_CHUNK
    for _ in range(UPLOAD_BYTES // UPLOAD_CHUNK):
        yield chunk
    yield b'"}'


def worker_pids(master_pid: int) -> list[int]:
    """Return the pids of the gunicorn workers, the children of ``master_pid``."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == master_pid:
            pids.append(int(stat.parent.name))
    return pids


def status_kb(pid: int, field: str) -> int:
    """Return a memory field of /proc/PID/status (VmRSS, VmHWM) in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise AssertionError(f"/proc/{pid}/status has no {field} line")


def upload(url: str, declare_length: bool) -> int:
    headers = {"Content-Type": "application/json"}
    if declare_length:
        headers["Content-Length"] = str(UPLOAD_BYTES + 14)
    response = httpx2.post(f"{url}/echo", content=upload_chunks(), headers=headers, timeout=30)
    return response.status_code


def test_concurrent_uploads_413_flat_memory(api_server: Server) -> None:
    """Twenty 100 MB uploads at once, half chunked and half declared, all get a 413 while the
    worker's peak RSS grows by far less than one upload."""
    workers = worker_pids(api_server.process.pid)
    assert workers, "found no gunicorn worker"
    baseline_kb = {pid: status_kb(pid, "VmRSS") for pid in workers}

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CONCURRENT_UPLOADS) as pool:
        futures = [
            pool.submit(upload, api_server.url, index % 2 == 0)
            for index in range(CONCURRENT_UPLOADS)
        ]
        statuses = [future.result(timeout=60) for future in futures]
    elapsed = time.monotonic() - started

    assert statuses == [413] * CONCURRENT_UPLOADS
    assert elapsed < 60
    for pid in workers:
        growth_kb = status_kb(pid, "VmHWM") - baseline_kb[pid]
        assert growth_kb < MAX_RSS_GROWTH_KB, f"worker {pid} grew by {growth_kb} kB"
    assert httpx2.get(f"{api_server.url}/health").status_code == 200


def test_gunicorn_bad_input_is_problem(api_server: Server) -> None:
    """The real server returns 4xx problems for a lone surrogate, NaN and binary bytes."""
    cases = [
        (b'{"message":"\\ud800"}', "application/json", 400),
        (b'{"title":"t","body":"b","priority":NaN}', "application/json", 400),
        (b"\x00\xff\x10\x80", "application/octet-stream", 415),
    ]
    for content, content_type, status in cases:
        path = "/summarize-request" if b"priority" in content else "/echo"
        response = httpx2.post(
            f"{api_server.url}{path}", content=content, headers={"Content-Type": content_type}
        )
        assert response.status_code == status
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["request_id"] == response.headers["x-request-id"]


def test_gunicorn_fetches_todo_from_standin(api_server: Server) -> None:
    """Under gunicorn, /todos/1 comes from the stand-in and /todos/201 is a 404 problem."""
    found = httpx2.get(f"{api_server.url}/todos/1", headers={"X-Request-ID": "todo-1"})
    missing = httpx2.get(f"{api_server.url}/todos/201")
    assert found.status_code == 200
    assert found.json()["id"] == 1
    assert found.headers["x-request-id"] == "todo-1"
    assert missing.status_code == 404
    assert missing.json()["title"] == "Todo not found"


def read_response(sock: socket.socket) -> bytes:
    """Read one response with a Content-Length from ``sock``, waiting at most 5 s."""
    sock.settimeout(5)
    data = b""
    with contextlib.suppress(TimeoutError, ConnectionResetError):
        while b"\r\n\r\n" not in data:
            data += sock.recv(65536)
        head, _, body = data.partition(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        while len(body) < length:
            body += sock.recv(65536)
        data = head + b"\r\n\r\n" + body
    return data


@pytest.fixture(scope="module")
def impatient_server() -> Iterator[Server]:
    """The api under gunicorn with a 0.5 s body read timeout."""
    env = {"HOST": "127.0.0.1", "WEB_CONCURRENCY": "1", "BODY_READ_TIMEOUT_S": "0.5"}
    server = start_server("api", env, free_port())
    yield server
    server.stop()


def test_stalled_body_gets_408(impatient_server: Server) -> None:
    """A body that stops arriving is a 408 problem after the read timeout."""
    port = int(impatient_server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(
            b"POST /echo HTTP/1.1\r\nHost: api\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"message":"'
        )
        started = time.monotonic()
        response = read_response(sock)
    assert response.startswith(b"HTTP/1.1 408 ")
    assert b"application/problem+json" in response
    assert b'"title":"Request timeout"' in response
    assert time.monotonic() - started < 3


def test_trickled_body_gets_408(impatient_server: Server) -> None:
    """A chunked body that trickles in one byte at a time is cut off by the same timeout."""
    port = int(impatient_server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(
            b"POST /echo HTTP/1.1\r\nHost: api\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        for _ in range(10):
            try:
                sock.sendall(b"1\r\nx\r\n")
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(0.2)
        response = read_response(sock)
    assert response.startswith(b"HTTP/1.1 408 ")
