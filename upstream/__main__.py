"""Serve the stand-in upstream with uvicorn: ``python -m upstream``."""

from __future__ import annotations

import uvicorn

from startup.settings import load_settings
from upstream.app import create_app
from upstream.settings import UpstreamSettings


def main() -> None:
    settings = load_settings(UpstreamSettings)
    uvicorn.run(create_app(), host=settings.upstream_host, port=settings.port)


if __name__ == "__main__":
    main()
