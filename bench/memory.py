"""Print the api workers' memory after warm-up and during twenty concurrent 100 MB uploads.

Run from the repository root: ``.venv/bin/python bench/memory.py``. It starts the api on loopback
as its container does (``python -m api``, two workers), warms it up with ``POST /echo`` on one
keep-alive connection, and reads each worker's resident set size (VmRSS). Then it streams twenty
100 MB bodies at once from a generator, chunked, so the api only learns the size while reading.
The body limit (MAX_BODY_BYTES, 1 MiB by default) must reject every upload with 413 after about
1 MiB, so the workers' memory stays near the warm-up level instead of growing by 2 GB. It takes
about ten seconds and stops the server at the end.
"""

from __future__ import annotations

import argparse
import http.client
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2
from servers import HOST, PROJECT_API, RunningServer, rss_kb, serve, worker_pids

UPLOAD_BYTES = 100 * 1024 * 1024
UPLOAD_CHUNK_BYTES = 64 * 1024
CONCURRENT_UPLOADS = 20
#: Seconds one upload may take before the benchmark reports it as failed.
UPLOAD_TIMEOUT_S = 60.0
SAMPLE_INTERVAL_S = 0.02
ECHO_BODY = b'{"message":"hello, benchmark"}'
KIB_PER_MIB = 1024


def upload_chunks() -> Iterator[bytes]:
    """Yield a 100 MB JSON body in 64 KiB chunks, never holding more than one chunk."""
    yield b'{"message":"'
    chunk = b"x" * UPLOAD_CHUNK_BYTES
    for _ in range(UPLOAD_BYTES // UPLOAD_CHUNK_BYTES):
        yield chunk
    yield b'"}'


def upload(url: str) -> int:
    """Stream one 100 MB body to ``POST /echo`` and return the response status."""
    headers = {"Content-Type": "application/json"}
    response = httpx2.post(
        f"{url}/echo", content=upload_chunks(), headers=headers, timeout=UPLOAD_TIMEOUT_S
    )
    return response.status_code


def warm_up(port: int, seconds: float) -> int:
    """Send ``POST /echo`` on one keep-alive connection for ``seconds``; return the count."""
    connection = http.client.HTTPConnection(HOST, port, timeout=5)
    sent = 0
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            connection.request("POST", "/echo", ECHO_BODY, {"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"warm-up request returned {response.status}, expected 200")
            sent += 1
    finally:
        connection.close()
    return sent


class PeakSampler:
    """Read the workers' RSS every ``SAMPLE_INTERVAL_S`` in a thread and keep each peak."""

    def __init__(self, pids: list[int]) -> None:
        self.peak_kb = dict.fromkeys(pids, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid in self.peak_kb:
                current = rss_kb(pid)
                if current is not None:
                    self.peak_kb[pid] = max(self.peak_kb[pid], current)
            self._stop.wait(SAMPLE_INTERVAL_S)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()


def measure(server: RunningServer, warmup_s: float) -> None:
    requests = warm_up(server.port, warmup_s)
    workers = worker_pids(server.master_pid)
    after_warmup = {pid: rss_kb(pid) or 0 for pid in workers}

    url = f"http://{HOST}:{server.port}"
    started = time.monotonic()
    with PeakSampler(workers) as sampler, ThreadPoolExecutor(CONCURRENT_UPLOADS) as pool:
        statuses = list(pool.map(upload, [url] * CONCURRENT_UPLOADS))
    elapsed = time.monotonic() - started

    print(f"warm-up: {requests} requests to POST /echo in {warmup_s:g}s on one connection")
    print(
        f"uploads: {CONCURRENT_UPLOADS} at once, {UPLOAD_BYTES // 2**20} MiB each, chunked, "
        f"statuses {sorted(set(statuses))}, {elapsed:.1f}s"
    )
    print(f"| {'worker':>8} | {'RSS after warm-up':>17} | {'peak RSS in uploads':>19} |")
    print(f"|{'-' * 10}|{'-' * 19}|{'-' * 21}|")
    for pid in workers:
        print(
            f"| {pid:>8} | {after_warmup[pid] / KIB_PER_MIB:>13.1f} MiB "
            f"| {sampler.peak_kb[pid] / KIB_PER_MIB:>15.1f} MiB |"
        )
    if statuses != [413] * CONCURRENT_UPLOADS:
        raise SystemExit(f"expected 413 for every upload, got {statuses}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--warmup", type=float, default=3.0, help="seconds of POST /echo before the first reading"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-memory-") as folder:
        log_path = Path(folder) / "api.log"
        with serve(PROJECT_API, log_path, "/echo", ECHO_BODY) as server:
            measure(server, args.warmup)


if __name__ == "__main__":
    main()
