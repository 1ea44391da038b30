"""Serve the stand-in upstream with uvicorn: ``python -m upstream``."""

from __future__ import annotations

import argparse
import logging
import logging.config
import signal
from collections.abc import Sequence
from types import FrameType

import uvicorn

from startup.logging import log_effective_settings, logging_config, skip_unused_record_fields
from startup.settings import load_settings
from upstream.access_log import AccessLogMiddleware
from upstream.app import create_app
from upstream.settings import UpstreamSettings

#: Seconds the stand-in waits for requests in flight when it stops, then it cancels them. An
#: unbounded wait held a stop for a whole ``/delay/10``, which is Docker's default time before
#: it kills a container.
GRACEFUL_SHUTDOWN_S = 3


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m upstream",
        description=(
            "Serve the local stand-in for JSONPlaceholder and httpbin, with scripted faults. "
            "It takes no options: UPSTREAM_HOST (default 127.0.0.1), PORT (default 8080) and "
            "LOG_LEVEL (default info) configure it."
        ),
    )
    return parser.parse_args(argv)


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def main(argv: Sequence[str] | None = None) -> None:
    parse_args(argv)
    settings = load_settings(UpstreamSettings)
    config = logging_config(settings.log_level)
    skip_unused_record_fields()
    logging.config.dictConfig(config)
    log_effective_settings(logging.getLogger("upstream"), settings)
    # uvicorn shuts down on SIGTERM, then raises the signal again with the handler that was there
    # before it started. With this handler `docker stop` ends in exit code 0, as for the api,
    # instead of 143.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    uvicorn.run(
        AccessLogMiddleware(create_app()),
        host=settings.upstream_host,
        port=settings.port,
        log_config=config,
        # The middleware writes the access line, with the request id.
        access_log=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )


if __name__ == "__main__":
    main()
