"""Readiness of a worker: ready while it accepts work, draining once it has received SIGTERM.

On SIGTERM the gunicorn master sends SIGTERM to every worker. In the uvicorn worker, uvicorn's
own handler only sets a flag that its main loop checks every 0.1 s before it closes the listening
sockets and waits for in-flight requests. The hook below runs first, in the same signal
delivery, so ``/ready`` returns 503 before the worker stops accepting connections.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from types import FrameType
from typing import Any

Lifespan = Callable[[Any], AbstractAsyncContextManager[None]]


class Readiness:
    """The draining flag of one worker process."""

    def __init__(self) -> None:
        self.draining = False

    def start_draining(self) -> None:
        self.draining = True

    def watch_sigterm(self) -> Callable[[], None]:
        """Chain a SIGTERM handler that calls ``start_draining`` before the handler installed
        so far (uvicorn's), and return a function that puts that handler back.

        Python handles signals only in the main thread, so elsewhere (a test client runs the
        lifespan in a thread) nothing is installed.
        """
        if threading.current_thread() is not threading.main_thread():
            return lambda: None

        previous = signal.getsignal(signal.SIGTERM)

        def on_sigterm(signum: int, frame: FrameType | None) -> None:
            self.start_draining()
            if callable(previous):
                previous(signum, frame)
            elif previous == signal.SIG_DFL:
                # Nothing else handles SIGTERM: end the process as the default action would.
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.raise_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, on_sigterm)

        def restore() -> None:
            if signal.getsignal(signal.SIGTERM) is on_sigterm:
                signal.signal(signal.SIGTERM, previous)

        return restore


def lifespan_with_readiness(lifespan: Lifespan, readiness: Readiness) -> Lifespan:
    """Wrap ``lifespan`` so the SIGTERM hook of ``readiness`` is installed while the app runs.

    The server installs its signal handlers before it starts the lifespan, so the hook chains
    onto them.
    """

    @asynccontextmanager
    async def lifespan_watching_sigterm(app: Any) -> AsyncIterator[None]:
        restore = readiness.watch_sigterm()
        try:
            async with lifespan(app):
                yield
        finally:
            restore()

    return lifespan_watching_sigterm
