"""Start the api exactly as its container does: gunicorn with ``api.gunicorn_conf``.

The process replaces itself with gunicorn (``exec``), so gunicorn receives signals directly.
Settings are validated first, so a bad variable stops start-up with a readable message.
"""

from __future__ import annotations

import os
import sys

from api.settings import ServerSettings, Settings
from startup.settings import load_settings


def main() -> None:
    load_settings(ServerSettings)
    load_settings(Settings)

    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:api.gunicorn_conf",
        "api.main:app",
    ]
    os.execv(sys.executable, argv)  # noqa: S606 - a fixed argument list, no shell


if __name__ == "__main__":
    main()
