"""The running containers' hardening: user, read-only root, capabilities, grace period, no .env."""

from __future__ import annotations

import pytest

from tests.fault.stack import ComposeStack

LONG_RUNNING_SERVICES = ("api", "upstream", "caller")
APP_USER = "10001:10001"

#: Lists every file named .env or .env.* in the container, outside the kernel's file systems.
FIND_ENV_FILES_SCRIPT = """
import os
for root, dirs, files in os.walk("/"):
    if root in ("/proc", "/sys", "/dev"):
        dirs.clear()
        continue
    for name in files:
        if name == ".env" or name.startswith(".env."):
            print(os.path.join(root, name))
"""

#: Tries to write to the root file system and prints the errno name of the failure, or "written".
WRITE_ROOT_SCRIPT = """
import errno
try:
    open("/app/write-probe", "w").close()
except OSError as exc:
    print(errno.errorcode[exc.errno])
else:
    print("written")
"""


@pytest.mark.parametrize("service", LONG_RUNNING_SERVICES)
def test_service_runs_hardened(stack: ComposeStack, service: str) -> None:
    """The service runs as the app user, read-only, without capabilities or privilege gain."""
    info = stack.inspect(service)
    host_config = info["HostConfig"]

    assert info["State"]["Status"] == "running"
    assert info["Config"]["User"] == APP_USER
    assert host_config["ReadonlyRootfs"] is True
    assert host_config["CapDrop"] == ["ALL"]
    assert "no-new-privileges:true" in host_config["SecurityOpt"]
    assert "/tmp" in host_config["Tmpfs"]


@pytest.mark.parametrize("service", LONG_RUNNING_SERVICES)
def test_root_filesystem_rejects_writes(stack: ComposeStack, service: str) -> None:
    """A write to the root file system fails with EROFS, and /tmp accepts one."""
    assert stack.exec_in(service, "python", "-c", WRITE_ROOT_SCRIPT).strip() == "EROFS"
    stack.exec_in(service, "python", "-c", "open('/tmp/write-probe', 'w').close()")


@pytest.mark.parametrize("service", LONG_RUNNING_SERVICES)
def test_container_has_no_env_file(stack: ComposeStack, service: str) -> None:
    """No .env file reached the image: settings arrive as environment variables only."""
    assert stack.exec_in(service, "python", "-c", FIND_ENV_FILES_SCRIPT).split() == []


def test_api_grace_period_exceeds_graceful_timeout(stack: ComposeStack) -> None:
    """Docker waits longer than gunicorn's graceful_timeout before it sends SIGKILL."""
    info = stack.inspect("api")
    # A variable that Compose lists without a value and that is set nowhere appears as a bare
    # name, which leaves it unset in the container.
    environment = dict(entry.split("=", 1) for entry in info["Config"]["Env"] if "=" in entry)
    # gunicorn's graceful_timeout is 20 s unless GRACEFUL_TIMEOUT_S sets it.
    graceful_timeout_s = int(environment.get("GRACEFUL_TIMEOUT_S", "20"))

    assert info["Config"]["StopTimeout"] > graceful_timeout_s
