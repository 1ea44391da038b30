"""Calls that run once at the end of the running event loop's iteration."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class IterationEndCall:
    """A call of ``callback`` that runs once after the current iteration of the running loop,
    however many times ``schedule`` is called during it.

    Work that every request would repeat, such as a write system call, is then done once for all
    the requests that one iteration serves. Without a running loop there is no iteration to wait
    for, so ``schedule`` runs the callback at once.
    """

    def __init__(self, callback: Callable[[], None]) -> None:
        self.callback = callback
        #: The loop that will run the callback at the end of its iteration, if any.
        self._scheduled_on: asyncio.AbstractEventLoop | None = None

    def schedule(self) -> None:
        """Schedule the callback on the running loop unless it is already scheduled there, or
        run it now when no loop is running in this thread."""
        scheduled_on = self._scheduled_on
        # A loop that stopped before its iteration ended never runs the callback, so only a
        # call scheduled on a running loop counts. This check comes first because
        # asyncio.get_running_loop() is a getpid system call on Python 3.11.
        if scheduled_on is not None and scheduled_on.is_running():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.callback()
            return
        self._scheduled_on = loop
        loop.call_soon(self._run)

    def _run(self) -> None:
        self._scheduled_on = None
        self.callback()
