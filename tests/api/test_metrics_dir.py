"""The folder of the workers' metric files, prepared by the gunicorn master."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from api.metrics_dir import (
    MULTIPROC_DIR_VARIABLE,
    default_metrics_dir,
    prepare_metrics_dir,
    remove_default_metrics_dir,
)


@pytest.fixture(autouse=True)
def restore_multiproc_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Undo the variable ``prepare_metrics_dir`` sets, so later tests run single-process."""
    monkeypatch.delenv(MULTIPROC_DIR_VARIABLE, raising=False)


def test_configured_dir_emptied_of_metric_files(tmp_path: Path) -> None:
    """Old metric files are deleted, other files are kept, and the variable points there."""
    (tmp_path / "counter_123.db").write_bytes(b"old")
    (tmp_path / "notes.txt").write_text("keep")

    folder = prepare_metrics_dir(tmp_path, pid=1)

    assert folder == tmp_path
    assert not (tmp_path / "counter_123.db").exists()
    assert (tmp_path / "notes.txt").exists()
    assert os.environ[MULTIPROC_DIR_VARIABLE] == str(tmp_path)


def test_configured_dir_created_and_kept(tmp_path: Path) -> None:
    """A missing configured folder is created, and it is not removed at exit."""
    folder = tmp_path / "metrics" / "api"
    prepare_metrics_dir(folder, pid=1)
    remove_default_metrics_dir(folder, pid=1)
    assert folder.is_dir()


def test_default_dir_per_pid_removed_at_exit() -> None:
    """Without METRICS_DIR each master gets its own folder, removed at exit."""
    pid = os.getpid()
    folder = prepare_metrics_dir(None, pid)
    try:
        assert folder == default_metrics_dir(pid)
        assert folder.name == f"api-metrics-{pid}"
        assert folder.is_dir()
    finally:
        remove_default_metrics_dir(folder, pid)
    assert not folder.exists()
