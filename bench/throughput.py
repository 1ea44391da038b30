"""Compare the project's api with a bare FastAPI app and a raw ASGI app under wrk.

Run from the repository root: ``.venv/bin/python bench/throughput.py``. Each run starts three
servers on loopback, each with two gunicorn uvicorn workers. They are (a) the project api as its
container runs it (``python -m api``, every middleware on, JSON logs at INFO into a temporary
file), (b) a bare FastAPI app and (c) a raw ASGI app. It checks that all three return the same
bytes, then drives ``POST /echo`` and ``POST /summarize-request`` with ``wrk -t1 -c32``. The
measured time of each app and route is cut into slices that take turns across the three apps, so
a burst of load from elsewhere on the machine hits all three alike. It prints req/s, p50 and p99
per app and route and the project's ratios to (b) and (c), and stops the servers.

It needs wrk (Debian and Ubuntu: ``apt-get install wrk``). With the defaults two runs take about
two and a half minutes. ``--duration 1 --slice 1 --warmup 0`` proves the script works in about
20 seconds.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path

from servers import (
    BARE_FASTAPI,
    HOST,
    PROJECT_API,
    RAW_ASGI,
    WORKERS,
    RunningServer,
    Target,
    post,
    serve,
)

LUA_SCRIPT = Path(__file__).resolve().parent / "post_json.lua"
ECHO = "/echo"
SUMMARIZE = "/summarize-request"
#: Request body and expected response body of each measured route.
ROUTES = {
    ECHO: (b'{"message":"hello, benchmark"}', b'{"message":"hello, benchmark"}'),
    SUMMARIZE: (
        b'{"title":"Quarterly report","body":"Revenue grew in every region.","priority":3}',
        b'{"field_count":3,"fields":["title","body","priority"],"title_length":16}',
    ),
}
#: Seconds wrk may overrun its duration before the benchmark gives up on it.
WRK_GRACE_S = 30
WRK_RESULT = re.compile(
    r"RESULT requests=(\d+) duration_us=(\d+) p50_us=(\d+) p99_us=(\d+) "
    r"non_2xx_3xx=(\d+) socket_errors=(\d+)"
)
#: The access line's logger field, with or without a space after the colon, as JSON encoders
#: differ there.
ACCESS_LOG_MARK = re.compile(rb'"logger":\s?"api\.access"')


@dataclass(frozen=True)
class Load:
    threads: int
    connections: int
    duration_s: int
    slice_s: int
    warmup_s: int

    @property
    def slices(self) -> int:
        return max(1, self.duration_s // self.slice_s)


@dataclass(frozen=True)
class Sample:
    """The numbers wrk reported for one slice."""

    requests: int
    duration_s: float
    p50_ms: float
    p99_ms: float
    #: Connections that failed, or that the server closed while wrk waited for a response.
    socket_errors: int


@dataclass(frozen=True)
class Result:
    """One app and route over all slices of a run."""

    #: Median over the slices of each slice's rate, p50 and p99. The two workers share one
    #: listening socket, so a slice's 32 connections can land mostly on one worker. Such a slice
    #: ran at about 60 % of the others (7,663 requests against 11,800 to 12,700 in ten 1-second
    #: slices of the api), and the median keeps one of them from moving the result.
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    socket_errors: int

    @classmethod
    def of(cls, samples: list[Sample]) -> Result:
        return cls(
            requests_per_s=statistics.median(s.requests / s.duration_s for s in samples),
            p50_ms=statistics.median(s.p50_ms for s in samples),
            p99_ms=statistics.median(s.p99_ms for s in samples),
            socket_errors=sum(s.socket_errors for s in samples),
        )


def require_wrk() -> str:
    """Return the path of wrk, or exit with how to install it."""
    path = shutil.which("wrk")
    if path is None:
        sys.exit(
            "wrk is not installed. Install it with 'apt-get install -y wrk' (Debian, Ubuntu) "
            "or 'brew install wrk' (macOS), then run this script again."
        )
    return path


def run_wrk(wrk: str, port: int, path: str, body: bytes, load: Load, duration_s: int) -> Sample:
    """Drive ``path`` on ``port`` for ``duration_s`` seconds and return what wrk measured.

    Raises RuntimeError when a response was not 2xx or 3xx, because the numbers would then
    measure errors. Socket errors are only counted: the api's gunicorn replaces each worker
    after MAX_REQUESTS requests and closes its keep-alive connections, which wrk reports as
    read errors.
    """
    command = [
        wrk,
        f"-t{load.threads}",
        f"-c{load.connections}",
        f"-d{duration_s}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA_SCRIPT),
        f"http://{HOST}:{port}{path}",
        "--",
        body.decode(),
    ]
    completed = subprocess.run(  # noqa: S603 - a fixed argument list, no shell
        command, capture_output=True, text=True, timeout=duration_s + WRK_GRACE_S, check=True
    )
    match = WRK_RESULT.search(completed.stdout)
    if match is None:
        raise RuntimeError(f"wrk printed no result line:\n{completed.stdout}{completed.stderr}")

    requests, duration_us, p50_us, p99_us, bad_status, socket_errors = map(int, match.groups())
    if bad_status:
        raise RuntimeError(
            f"{path} on port {port}: {bad_status} responses were not 2xx or 3xx, so the "
            "numbers would measure failures. Check the server log."
        )
    return Sample(requests, duration_us / 1e6, p50_us / 1000, p99_us / 1000, socket_errors)


def check_answers(server: RunningServer) -> None:
    """Raise RuntimeError unless ``server`` returns the expected bytes on every route."""
    for path, (body, expected) in ROUTES.items():
        status, content = post(server.port, path, body)
        if status != 200 or content != expected:
            raise RuntimeError(
                f"{server.target.name} returned {status} {content[:200]!r} for {path}, "
                f"expected 200 {expected!r}"
            )


def measure_route(
    wrk: str, servers: list[RunningServer], path: str, body: bytes, load: Load
) -> dict[str, Result]:
    """Warm every server up on ``path``, then measure it in slices that take turns."""
    if load.warmup_s:
        for server in servers:
            run_wrk(wrk, server.port, path, body, load, load.warmup_s)

    samples: dict[str, list[Sample]] = {server.target.name: [] for server in servers}
    for turn in range(load.slices):
        # Rotate the order, so no app always runs right after a given other one.
        shift = turn % len(servers)
        for server in servers[shift:] + servers[:shift]:
            sample = run_wrk(wrk, server.port, path, body, load, load.slice_s)
            samples[server.target.name].append(sample)
    return {name: Result.of(by_slice) for name, by_slice in samples.items()}


def measure_run(
    wrk: str, targets: tuple[Target, ...], load: Load, log_folder: Path
) -> dict[str, dict[str, Result]]:
    """Start every target, measure every route and stop the targets."""
    results: dict[str, dict[str, Result]] = {target.name: {} for target in targets}
    with ExitStack() as stack:
        servers = []
        for target in targets:
            log_path = log_folder / f"{target.bench_app or 'api'}.log"
            servers.append(stack.enter_context(serve(target, log_path, ECHO, ROUTES[ECHO][0])))
        for server in servers:
            check_answers(server)

        for path, (body, _) in ROUTES.items():
            for name, result in measure_route(wrk, servers, path, body, load).items():
                results[name][path] = result
    return results


def print_run(number: int, results: dict[str, dict[str, Result]]) -> None:
    print(f"\nrun {number}")
    print(
        f"| {'app':<12} | {'route':<18} | {'req/s':>7} | {'p50 ms':>7} | {'p99 ms':>7} "
        f"| {'socket errors':>13} |"
    )
    print(f"|{'-' * 14}|{'-' * 20}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 15}|")
    for name, by_route in results.items():
        for path, result in by_route.items():
            print(
                f"| {name:<12} | {path:<18} | {result.requests_per_s:>7.0f} "
                f"| {result.p50_ms:>7.2f} | {result.p99_ms:>7.2f} | {result.socket_errors:>13} |"
            )

    print(
        f"\n| {'route':<18} | {'a/b req/s':>9} | {'a/c req/s':>9} | {'a/b p99':>7} "
        f"| {'a/c p99':>7} |"
    )
    print(f"|{'-' * 20}|{'-' * 11}|{'-' * 11}|{'-' * 9}|{'-' * 9}|")
    for path, result in results[PROJECT_API.name].items():
        bare = results[BARE_FASTAPI.name][path]
        raw = results[RAW_ASGI.name][path]
        print(
            f"| {path:<18} | {result.requests_per_s / bare.requests_per_s:>8.2f}x "
            f"| {result.requests_per_s / raw.requests_per_s:>8.2f}x "
            f"| {result.p99_ms / bare.p99_ms:>6.2f}x | {result.p99_ms / raw.p99_ms:>6.2f}x |"
        )


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def count_access_lines(log_path: Path) -> int:
    with log_path.open("rb") as log:
        return sum(ACCESS_LOG_MARK.search(line) is not None for line in log)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duration", type=int, default=10, help="seconds of measured load per app and route"
    )
    parser.add_argument(
        "--slice", type=int, default=1, help="seconds of one turn; the apps take turns"
    )
    parser.add_argument(
        "--warmup", type=int, default=2, help="seconds of unmeasured load per app and route"
    )
    parser.add_argument("--runs", type=int, default=2, help="runs, each with fresh servers")
    parser.add_argument("--connections", type=int, default=32, help="open connections of wrk")
    parser.add_argument("--threads", type=int, default=1, help="threads of wrk")
    parser.add_argument(
        "--api-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment variable of the project api, e.g. MAX_REQUESTS=0; repeatable",
    )
    args = parser.parse_args()
    if min(args.duration, args.slice, args.runs, args.connections, args.threads) < 1:
        parser.error("--duration, --slice, --runs, --connections and --threads must be >= 1")
    if args.warmup < 0:
        parser.error("--warmup must be 0 or more")
    if any("=" not in item for item in args.api_env):
        parser.error("--api-env takes NAME=VALUE")
    return args


def main() -> None:
    args = parse_args()
    wrk = require_wrk()
    load = Load(args.threads, args.connections, args.duration, args.slice, args.warmup)
    api_env = dict(item.split("=", 1) for item in args.api_env)
    project = replace(PROJECT_API, env={**PROJECT_API.env, **api_env})
    targets = (project, BARE_FASTAPI, RAW_ASGI)

    print(
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{len(os.sched_getaffinity(0))} cores, {cpu_model()}"
    )
    print(
        f"wrk -t{load.threads} -c{load.connections}; per app and route {load.warmup_s}s warm-up, "
        f"then {load.slices} turns of {load.slice_s}s; {WORKERS} gunicorn uvicorn workers each"
    )
    if api_env:
        print(f"project api environment: {api_env}")
    print("a = project api, b = bare FastAPI, c = raw ASGI")
    print("req/s, p50 and p99 are medians over the turns")

    for number in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory(prefix="bench-api-") as folder:
            results = measure_run(wrk, targets, load, Path(folder))
            access_lines = count_access_lines(Path(folder) / "api.log")
        print_run(number, results)
        print(f"The project api wrote {access_lines} access-log lines in run {number}.")


if __name__ == "__main__":
    main()
