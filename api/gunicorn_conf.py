"""Gunicorn configuration, built from the environment through ``ServerSettings``.

Gunicorn reads this file with ``-c python:api.gunicorn_conf``; every module-level name below is a
gunicorn setting or server hook. The module runs once, in the master, before any worker starts.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from api.metrics_dir import prepare_metrics_dir, remove_default_metrics_dir
from api.settings import ServerSettings, Settings
from startup.logging import log_effective_settings, logging_config
from startup.settings import load_settings

_server = load_settings(ServerSettings)
_master_pid = os.getpid()
# Set before any worker imports prometheus-client, which reads the variable once at import.
# NOTE: a reload by SIGHUP runs this module again and deletes the metric files while the old
# workers still run, so the counters restart from zero.
_metrics_dir = prepare_metrics_dir(_server.metrics_dir, _master_pid)

bind = f"{_server.host}:{_server.port}"
workers = _server.web_concurrency
worker_class = "uvicorn_worker.UvicornWorker"
timeout = _server.worker_timeout_s
graceful_timeout = _server.graceful_timeout_s
keepalive = _server.keepalive_s
max_requests = _server.max_requests
max_requests_jitter = _server.max_requests_jitter
# Workers prove they are alive by calling os.fchmod on a temporary file. Gunicorn 27's docs for
# worker_tmp_dir warn that this can block a worker on a disk-backed filesystem, so it uses tmpfs.
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None  # noqa: S108 - fixed tmpfs
control_socket_disable = _server.control_socket is None
if _server.control_socket is not None:
    control_socket = str(_server.control_socket)

loglevel = _server.log_level
errorlog = "-"
# No gunicorn access log: the uvicorn worker ignores its format, and the api's access-log
# middleware writes one JSON line per request instead.
accesslog = None
logconfig_dict = logging_config(
    _server.log_level, filters={"request_id": {"()": "api.log_context.RequestIdFilter"}}
)


def on_starting(server: Any) -> None:
    """Log the effective configuration once per server, from the master."""
    log_effective_settings(logging.getLogger("api"), _server, load_settings(Settings))
    logging.getLogger("api").info("Worker metrics are kept in %s", _metrics_dir)


def child_exit(server: Any, worker: Any) -> None:
    """Drop the exited worker's live gauges, so the in-flight count stops including it."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


def on_exit(server: Any) -> None:
    remove_default_metrics_dir(_metrics_dir, _master_pid)
