"""Gunicorn settings derived from the environment, read in a separate interpreter because the
module prepares the metrics folder and sets PROMETHEUS_MULTIPROC_DIR when imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import SERVICE_VARIABLES

READ_CONFIG = """
import json
import api.gunicorn_conf as conf
names = [
    "bind", "workers", "worker_class", "timeout", "graceful_timeout", "keepalive",
    "max_requests", "max_requests_jitter", "worker_tmp_dir", "control_socket_disable",
    "accesslog", "loglevel",
]
values = {name: getattr(conf, name) for name in names}
values["control_socket"] = getattr(conf, "control_socket", None)
values["multiproc_dir"] = __import__("os").environ["PROMETHEUS_MULTIPROC_DIR"]
values["handlers"] = {
    name: logger["handlers"] for name, logger in conf.logconfig_dict["loggers"].items()
}
print(json.dumps(values))
"""


def read_config(env: dict[str, str]) -> dict[str, Any]:
    base_env = {key: value for key, value in os.environ.items() if key not in SERVICE_VARIABLES}
    result = subprocess.run(
        [sys.executable, "-c", READ_CONFIG],
        env={**base_env, **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    values: dict[str, Any] = json.loads(result.stdout)
    return values


def test_gunicorn_conf_defaults(tmp_path: Path) -> None:
    """Defaults: 20 s keep-alive and grace, recycling with jitter, no control socket."""
    values = read_config({"METRICS_DIR": str(tmp_path)})

    assert values["bind"] == "127.0.0.1:8000"
    assert values["worker_class"] == "uvicorn_worker.UvicornWorker"
    assert values["timeout"] == 30
    assert values["graceful_timeout"] == 20
    assert values["keepalive"] == 20
    assert values["max_requests"] == 100_000
    assert values["max_requests_jitter"] == 10_000
    assert values["worker_tmp_dir"] == ("/dev/shm" if Path("/dev/shm").is_dir() else None)
    assert values["control_socket_disable"] is True
    assert values["accesslog"] is None
    assert values["multiproc_dir"] == str(tmp_path)


def test_environment_overrides_settings(tmp_path: Path) -> None:
    """Each server variable reaches its gunicorn setting."""
    socket_path = tmp_path / "gunicorn.ctl"
    values = read_config(
        {
            "HOST": "127.0.0.1",
            "PORT": "9100",
            "WEB_CONCURRENCY": "3",
            "WORKER_TIMEOUT_S": "40",
            "GRACEFUL_TIMEOUT_S": "25",
            "KEEPALIVE_S": "30",
            "MAX_REQUESTS": "0",
            "MAX_REQUESTS_JITTER": "5",
            "LOG_LEVEL": "warning",
            "METRICS_DIR": str(tmp_path / "metrics"),
            "CONTROL_SOCKET": str(socket_path),
        }
    )

    assert values["bind"] == "127.0.0.1:9100"
    assert values["workers"] == 3
    assert values["timeout"] == 40
    assert values["graceful_timeout"] == 25
    assert values["keepalive"] == 30
    assert values["max_requests"] == 0
    assert values["max_requests_jitter"] == 5
    assert values["loglevel"] == "warning"
    assert values["control_socket_disable"] is False
    assert values["control_socket"] == str(socket_path)
    assert (tmp_path / "metrics").is_dir()


def test_server_loggers_write_json_but_no_access(tmp_path: Path) -> None:
    """gunicorn.error goes to the JSON handler; both access loggers have no handler."""
    handlers = read_config({"METRICS_DIR": str(tmp_path)})["handlers"]

    assert handlers["gunicorn.error"] == ["stdout"]
    assert handlers["gunicorn.access"] == []
    assert handlers["uvicorn.access"] == []
