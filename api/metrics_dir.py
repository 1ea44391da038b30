"""The folder where gunicorn's workers keep their Prometheus metrics (multiprocess mode).

prometheus-client decides at import time whether metrics live in memory or in files, by reading
PROMETHEUS_MULTIPROC_DIR. So the gunicorn master must set that variable before any worker
imports the client, and must empty the folder so counts from an earlier run are not added in.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

MULTIPROC_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
# A tmpfs: the workers update their metric files on every request, and memory is fastest.
SHARED_MEMORY = Path("/dev/shm")  # noqa: S108 - the folder in it is checked to be ours


def default_metrics_dir(pid: int) -> Path:
    """Return the folder for the server whose master has ``pid``: in shared memory when the
    host has it, otherwise in the temporary folder."""
    base = SHARED_MEMORY if SHARED_MEMORY.is_dir() else Path(tempfile.gettempdir())
    return base / f"api-metrics-{pid}"


def prepare_metrics_dir(configured: Path | None, pid: int) -> Path:
    """Create the metrics folder, delete any metric files (``*.db``) in it, point
    PROMETHEUS_MULTIPROC_DIR at it and return it.

    ``configured`` is the folder from METRICS_DIR; None picks ``default_metrics_dir(pid)``. Only
    ``*.db`` files are deleted, so a folder set by mistake to a shared place loses nothing else.
    """
    folder = configured or default_metrics_dir(pid)
    folder.mkdir(parents=True, exist_ok=True)
    if folder.stat().st_uid != os.getuid():
        raise RuntimeError(
            f"The metrics folder {folder} belongs to another user. Set METRICS_DIR to a folder "
            "this user owns."
        )
    for metric_file in folder.glob("*.db"):
        metric_file.unlink(missing_ok=True)
    os.environ[MULTIPROC_DIR_VARIABLE] = str(folder)
    return folder


def remove_default_metrics_dir(folder: Path, pid: int) -> None:
    """Remove ``folder`` if it is the default one made for ``pid``; keep a configured one."""
    if folder == default_metrics_dir(pid):
        shutil.rmtree(folder, ignore_errors=True)
