"""The compose stack as the fault tests see it: the docker CLI on the host and the api's port on
loopback."""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

#: The folder of docker-compose.yml and .env, so compose finds both wherever pytest runs.
REPO_ROOT = Path(__file__).resolve().parents[2]
#: Seconds any one docker command may take.
COMMAND_TIMEOUT_S = 120.0
POLL_INTERVAL_S = 0.2

#: Lists the gunicorn workers from inside the api container, whose image has no ``ps``: every
#: process whose parent is PID 1 (the gunicorn master). ``docker exec`` processes have parent 0.
WORKER_PIDS_SCRIPT = """
import os
for name in os.listdir("/proc"):
    if not name.isdigit():
        continue
    try:
        with open(f"/proc/{name}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        continue
    if fields[1] == "1":
        print(name)
"""


def utc_now(seconds_ago: float = 0.0) -> str:
    """Return the current time, less ``seconds_ago``, in RFC 3339, the form
    ``docker compose logs --since`` takes."""
    moment = datetime.now(UTC) - timedelta(seconds=seconds_ago)
    return moment.isoformat(timespec="microseconds")


@dataclass(frozen=True, slots=True)
class ContainerState:
    """What ``docker inspect`` reports about a service's container."""

    container_id: str
    status: str
    exit_code: int
    restart_count: int
    started_at: str
    health: str | None


@dataclass(frozen=True, slots=True)
class ComposeStack:
    """A running compose project, reached with ``docker compose --project-name project``."""

    project: str
    api_url: str

    def compose(
        self, *args: str, timeout_s: float = COMMAND_TIMEOUT_S
    ) -> subprocess.CompletedProcess[str]:
        """Run ``docker compose`` for this project and return its result; fail on a non-zero exit.

        The command inherits the environment, so API_PORT and BASE_IMAGE keep the values the
        stack was started with. A different value would make compose recreate a container.
        """
        command = ["docker", "compose", "--project-name", self.project, *args]
        result = subprocess.run(
            command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout_s, check=False
        )
        if result.returncode != 0:
            raise AssertionError(
                f"{' '.join(command)} exited with {result.returncode}:\n{result.stderr}"
            )
        return result

    def inspect(self, service: str) -> dict[str, Any]:
        """Return ``docker inspect`` of the service's one container, running or not."""
        container_id = self.compose("ps", "--all", "--quiet", service).stdout.strip()
        if not container_id or "\n" in container_id:
            raise AssertionError(
                f"expected one container of service {service!r} in project {self.project}, "
                f"found {container_id.split()!r}"
            )

        inspected = subprocess.run(
            ["docker", "inspect", container_id],
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_S,
            check=True,
        )
        info: dict[str, Any] = json.loads(inspected.stdout)[0]
        return info

    def container_state(self, service: str) -> ContainerState:
        """Return the state of the service's one container, running or not."""
        info = self.inspect(service)
        state = info["State"]
        return ContainerState(
            container_id=info["Id"],
            status=state["Status"],
            exit_code=state["ExitCode"],
            restart_count=info["RestartCount"],
            started_at=state["StartedAt"],
            health=state.get("Health", {}).get("Status"),
        )

    def wait_for_status(self, service: str, status: str, timeout_s: float) -> ContainerState:
        """Poll until the service's container has ``status`` (``exited``, ``running``)."""
        deadline = time.monotonic() + timeout_s
        while True:
            state = self.container_state(service)
            if state.status == status:
                return state
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{service} is {state.status!r}, not {status!r}, after {timeout_s}s"
                )
            time.sleep(POLL_INTERVAL_S)

    def wait_for_health(self, service: str, timeout_s: float) -> ContainerState:
        """Poll until the service's container is running and its healthcheck passes."""
        deadline = time.monotonic() + timeout_s
        while True:
            state = self.container_state(service)
            if state.status == "running" and state.health == "healthy":
                return state
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{service} is {state.status!r} with health {state.health!r}, "
                    f"not healthy, after {timeout_s}s"
                )
            time.sleep(POLL_INTERVAL_S)

    def exec_in(self, service: str, *command: str) -> str:
        """Run ``command`` in the service's running container and return its standard output."""
        return self.compose("exec", "-T", service, *command).stdout

    def worker_pids(self) -> set[int]:
        """Return the PIDs of the gunicorn workers in the api container."""
        output = self.exec_in("api", "python", "-c", WORKER_PIDS_SCRIPT)
        return {int(line) for line in output.split()}

    def log_lines(self, service: str, since: str) -> list[str]:
        """Return the lines the service's container wrote since ``since`` (RFC 3339)."""
        output = self.compose("logs", "--no-log-prefix", "--no-color", "--since", since, service)
        return output.stdout.splitlines()

    def log_records(self, service: str, since: str) -> list[dict[str, Any]]:
        """Return the service's JSON log records written since ``since`` (RFC 3339).

        Lines that are not JSON objects, such as a traceback, are left out.
        """
        records = []
        for line in self.log_lines(service, since):
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict):
                records.append(record)
        return records
