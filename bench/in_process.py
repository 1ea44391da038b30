"""Time one request through each ASGI app in process, without a server or a socket.

Run from the repository root: ``.venv/bin/python bench/in_process.py``. It calls each app
directly with a prepared ``POST`` and prints the mean time per request, the best of three rounds.
The api runs with its production logging (JSON access lines at INFO, into a temporary file) and
its multiprocess Prometheus metrics, unless ``--no-access-log`` is given. Each app runs in its
own interpreter, so they cannot share caches or state. It takes about half a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import logging.config
import os
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

from servers import BENCH_APPS, REPO

ROUTES = {
    "/echo": b'{"message":"hello, benchmark"}',
    "/summarize-request": (
        b'{"title":"Quarterly report","body":"Revenue grew in every region.","priority":3}'
    ),
}
APPS = ("api", "bare_fastapi", "raw_asgi")
WARMUP_REQUESTS = 2_000
ROUNDS = 3


def load_app(name: str, access_log: bool, folder: Path) -> Any:
    """Import ``name``; for the api, configure logging and metrics as gunicorn's master does."""
    if name != "api":
        sys.path.insert(0, str(BENCH_APPS))
        return __import__(name).app

    os.environ["METRICS_DIR"] = str(folder / "metrics")
    os.environ["LOG_LEVEL"] = "info"
    import api.gunicorn_conf

    logging.config.dictConfig(api.gunicorn_conf.logconfig_dict)
    log_file = (folder / "api.log").open("w")
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(log_file)
    from api.main import app

    if not access_log:
        logging.getLogger("api.access").setLevel(logging.WARNING)
    return app


async def time_requests(app: Any, path: str, requests: int) -> float:
    """Return the best mean time of one request to ``path`` over ``ROUNDS`` rounds, in µs."""
    body = ROUTES[path]
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "scheme": "http",
        "method": "POST",
        "root_path": "",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": headers,
    }
    request = {"type": "http.request", "body": body, "more_body": False}
    statuses = []

    async def receive() -> dict[str, Any]:
        return request

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    for _ in range(WARMUP_REQUESTS):
        await app(dict(scope, state={}), receive, send)
    if set(statuses) != {200}:
        raise RuntimeError(f"{path} returned {sorted(set(statuses))}, expected only 200")

    best = float("inf")
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(requests):
            await app(dict(scope, state={}), receive, send)
        best = min(best, (time.perf_counter() - started) / requests)
    return best * 1e6


async def run_with_lifespan(app: Any, requests: int) -> dict[str, float]:
    """Start ``app``'s lifespan, time every route and shut the lifespan down."""
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    lifespan = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, inbox.get, outbox.put)
    )
    await inbox.put({"type": "lifespan.startup"})
    await outbox.get()
    try:
        return {path: await time_requests(app, path, requests) for path in ROUTES}
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        await outbox.get()
        await lifespan


def measure_one(name: str, requests: int, access_log: bool) -> None:
    import uvloop

    with tempfile.TemporaryDirectory(prefix="bench-in-process-") as folder:
        app = load_app(name, access_log, Path(folder))
        # The api's access lines go to the standard output of the moment Starlette builds the
        # middleware, at the lifespan's start, so the file takes them too.
        with (Path(folder) / "stdout.log").open("w") as stdout, redirect_stdout(stdout):
            results = uvloop.run(run_with_lifespan(app, requests))
    for path, micros in results.items():
        print(f"| {name:<12} | {path:<18} | {micros:>8.1f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--requests", type=int, default=20_000, help="requests per round, per app and route"
    )
    parser.add_argument(
        "--no-access-log", action="store_true", help="run the api without its access lines"
    )
    parser.add_argument("--app", choices=APPS, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.app is not None:
        measure_one(args.app, args.requests, not args.no_access_log)
        return

    print(f"| {'app':<12} | {'route':<18} | {'µs/req':>8} |")
    print(f"|{'-' * 14}|{'-' * 20}|{'-' * 10}|", flush=True)
    for name in APPS:
        command = [sys.executable, __file__, "--app", name, "--requests", str(args.requests)]
        if args.no_access_log:
            command.append("--no-access-log")
        subprocess.run(command, check=True, cwd=REPO)  # noqa: S603 - a fixed argument list


if __name__ == "__main__":
    main()
