"""``caller watch``: run the checks every CALLER_INTERVAL_S seconds until SIGTERM or SIGINT.

Each round logs one JSON summary line and appends its results to the run log, as ``caller run``
does. ``GET /health`` and ``GET /metrics`` are served on CALLER_HOST:CALLER_PORT meanwhile.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
import time
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from caller.checks import Clients, run_checks
from caller.metrics import record_round
from caller.report import append_run_log
from caller.settings import CallerSettings

logger = logging.getLogger("caller")

#: Seconds ``watch`` waits at shutdown for a round in progress before it exits anyway.
ROUND_STOP_WAIT_S = 0.3
#: Seconds between the probe server's checks for shutdown; it bounds the time to stop.
PROBE_POLL_INTERVAL_S = 0.2
HEALTH_BODY = json.dumps({"status": "ok"}).encode()


class ProbeHandler(BaseHTTPRequestHandler):
    """Serve ``GET /health`` (liveness) and ``GET /metrics`` (Prometheus text format)."""

    def do_GET(self) -> None:
        if self.path == "/health":
            self._send(HTTPStatus.OK, "application/json", HEALTH_BODY)
        elif self.path == "/metrics":
            self._send(HTTPStatus.OK, CONTENT_TYPE_LATEST, generate_latest(REGISTRY))
        else:
            body = json.dumps({"error": f"not found: {self.path}; use /health or /metrics"})
            self._send(HTTPStatus.NOT_FOUND, "application/json", body.encode())

    def _send(self, status: HTTPStatus, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        # Probes arrive every few seconds; their lines would drown the round summaries.
        logger.debug("probe %s", format % args)


def run_round(clients: Clients, settings: CallerSettings) -> bool:
    """Run every check once, record the metrics, log the summary and append to the run log.

    Return True when every check passed.
    """
    run_id = uuid.uuid4().hex
    started = time.monotonic()
    results = run_checks(clients, settings)
    duration_s = time.monotonic() - started

    record_round(results, duration_s)
    failed = [result.name for result in results if not result.passed]
    logger.log(
        logging.WARNING if failed else logging.INFO,
        "Round %s: %d passed, %d failed",
        run_id,
        len(results) - len(failed),
        len(failed),
        extra={
            "run_id": run_id,
            "passed": len(results) - len(failed),
            "failed": len(failed),
            "failed_checks": failed,
            "duration_ms": round(duration_s * 1000, 1),
        },
    )
    try:
        append_run_log(results, settings.caller_run_log, run_id)
    except OSError as exc:
        logger.error("Could not append to the run log %s: %s", settings.caller_run_log, exc)
    return not failed


def watch_rounds(settings: CallerSettings, stop: threading.Event) -> None:
    """Run rounds until ``stop`` is set, each starting CALLER_INTERVAL_S after the last began.

    An unexpected error ends the round, not the loop, so the caller recovers on its own.
    """
    clients = Clients.from_settings(settings)
    try:
        while not stop.is_set():
            started = time.monotonic()
            try:
                run_round(clients, settings)
            except Exception:
                logger.exception("Round failed with an unexpected error; the next round runs")
            stop.wait(max(0.0, started + settings.caller_interval_s - time.monotonic()))
    finally:
        clients.close()


def command_watch(settings: CallerSettings) -> int:
    """Serve the probes and run rounds until SIGTERM or SIGINT; return the exit code.

    The exit code is 0 after a signal and 1 when the probe address cannot be bound.
    """
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    address = (settings.caller_host, settings.caller_port)
    try:
        server = ThreadingHTTPServer(address, ProbeHandler)
    except OSError as exc:
        logger.error(
            "Could not listen on %s:%d: %s. Set CALLER_HOST and CALLER_PORT to a free address.",
            *address,
            exc,
        )
        return 1
    server.daemon_threads = True
    serve = threading.Thread(
        target=server.serve_forever, args=(PROBE_POLL_INTERVAL_S,), name="probes", daemon=True
    )
    serve.start()
    rounds = threading.Thread(target=watch_rounds, args=(settings, stop), name="rounds")
    # A daemon thread, so a round stuck in a call cannot hold the exit past ROUND_STOP_WAIT_S.
    rounds.daemon = True
    rounds.start()
    logger.info(
        "Watching every %gs; probes on http://%s:%d",
        settings.caller_interval_s,
        settings.caller_host,
        settings.caller_port,
    )

    while not stop.wait(timeout=1.0):
        pass
    server.shutdown()
    server.server_close()
    rounds.join(timeout=ROUND_STOP_WAIT_S)
    logger.info("Stopped watching")
    return 0
