"""Measure the resilient client against a raw pooled httpx2 client and a client per call.

Run from the repository root: ``.venv/bin/python bench/client.py``. It starts the stand-in
upstream on a free loopback port, measures for about 25 seconds and stops the server.

Success path: sequential GET /todos/1 for ``SUCCESS_PATH_S`` seconds, the two pooled clients
taking turns call by call, then ``MAX_CLIENT_PER_CALL_CALLS`` calls with a new client each.
Outage: ``OUTAGE_CALLS`` calls to GET /status/503, with and without the retry budget, in testing
mode (no backoff sleeps) so the run stays short.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx2

from resilient_http import (
    CallFailed,
    HostRegistry,
    ResilientClient,
    RetryPolicy,
    attempts_of,
    no_retry_waits,
)

SUCCESS_PATH_S = 15.0
#: The client-per-call pattern is about 40 times slower; this many calls measure it well enough.
MAX_CLIENT_PER_CALL_CALLS = 300
OUTAGE_CALLS = 200
STARTUP_TIMEOUT_S = 20.0
SERVER_STOP_TIMEOUT_S = 10.0
RESILIENT = "resilient_http"
RAW = "raw httpx2 (pooled)"
PER_CALL = "httpx2 client per call"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def stand_in_server() -> Iterator[str]:
    """Run ``python -m upstream`` on a free loopback port and yield its base URL."""
    port = _free_port()
    env = {**os.environ, "UPSTREAM_HOST": "127.0.0.1", "PORT": str(port)}
    process = subprocess.Popen(
        [sys.executable, "-m", "upstream"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=SERVER_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the stand-in exited with {process.returncode} at start-up")
        try:
            if httpx2.get(f"{url}/health", timeout=1).status_code == httpx2.codes.OK:
                return
        except httpx2.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"the stand-in did not return 200 on /health within {STARTUP_TIMEOUT_S}s")


def _timed_call(send: Callable[[], httpx2.Response]) -> float:
    started = time.perf_counter()
    if send().status_code != httpx2.codes.OK:
        raise RuntimeError("the success-path endpoint did not return 200")
    return time.perf_counter() - started


def _client_per_call(url: str) -> httpx2.Response:
    with httpx2.Client() as client:
        return client.get(url)


def measure_success_path(base_url: str) -> dict[str, float]:
    """Return the calls per second of each pattern.

    The two pooled clients take turns call by call, and which of them goes first alternates, so
    a burst of load from other processes slows both alike and neither always runs right after the
    other. The client-per-call pattern runs afterwards on its own: interleaved, the connection it
    closes after every call would be torn down by the server during the next pooled call. Each
    rate is the number of calls divided by the time spent inside them.
    """
    target = f"{base_url}/todos/1"
    spent = {RESILIENT: 0.0, RAW: 0.0, PER_CALL: 0.0}
    calls = dict.fromkeys(spent, 0)
    with (
        ResilientClient(base_url, hosts=HostRegistry()) as resilient,
        httpx2.Client(base_url=base_url) as raw,
    ):
        patterns: dict[str, Callable[[], httpx2.Response]] = {
            RESILIENT: lambda: resilient.get("/todos/1"),
            RAW: lambda: raw.get("/todos/1"),
        }
        for send in patterns.values():
            send()  # Open the pooled connection before timing.
        orders = ((RESILIENT, RAW), (RAW, RESILIENT))
        started = time.perf_counter()
        while time.perf_counter() - started < SUCCESS_PATH_S:
            for name in orders[calls[RAW] % 2]:
                spent[name] += _timed_call(patterns[name])
                calls[name] += 1

    while calls[PER_CALL] < MAX_CLIENT_PER_CALL_CALLS:
        spent[PER_CALL] += _timed_call(lambda: _client_per_call(target))
        calls[PER_CALL] += 1
    return {name: calls[name] / spent[name] for name in spent}


def mean_attempts_under_outage(base_url: str, budget_enabled: bool) -> float:
    """Return the mean attempts per call over OUTAGE_CALLS calls to an endpoint that returns 503."""
    policy = RetryPolicy(budget_enabled=budget_enabled)
    total = 0
    with no_retry_waits(), ResilientClient(base_url, policy=policy, hosts=HostRegistry()) as client:
        for _ in range(OUTAGE_CALLS):
            try:
                total += len(attempts_of(client.get("/status/503")))
            except CallFailed as exc:
                total += len(exc.attempts)
    return total / OUTAGE_CALLS


def main() -> None:
    # No options; --help prints what the script does instead of starting a 25-second run.
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    with stand_in_server() as base_url:
        rates = measure_success_path(base_url)
        with_budget = mean_attempts_under_outage(base_url, budget_enabled=True)
        without_budget = mean_attempts_under_outage(base_url, budget_enabled=False)

    raw = rates[RAW]
    print(
        f"success path: GET /todos/1 for {SUCCESS_PATH_S:g}s, pooled clients taking turns call "
        "by call"
    )
    print(f"| {'client':<24} | {'calls/s':>8} | {'ratio to raw':>12} |")
    print(f"|{'-' * 26}|{'-' * 10}|{'-' * 14}|")
    for name, rate in rates.items():
        print(f"| {name:<24} | {rate:>8.0f} | {rate / raw:>11.2f}x |")
    print()
    print(f"full outage: {OUTAGE_CALLS} calls to GET /status/503, 3 attempts, testing mode")
    print(f"| {'retry budget':<24} | {'attempts/call':>13} |")
    print(f"|{'-' * 26}|{'-' * 15}|")
    print(f"| {'on (default)':<24} | {with_budget:>13.3f} |")
    print(f"| {'off':<24} | {without_budget:>13.3f} |")


if __name__ == "__main__":
    main()
