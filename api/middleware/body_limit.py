"""Reject request bodies that are larger than a limit or arrive too slowly."""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import BODY_TOO_LARGE, REQUEST_TIMEOUT, ProblemError, problem_response

#: Maximum time between two checks of the waiting body reads, in seconds.
MAX_CHECK_INTERVAL_S = 0.5


class RequestBodyTooLarge(ProblemError):
    """Raised from ``receive`` as soon as the body read so far exceeds the limit."""

    def __init__(self, max_body_bytes: int) -> None:
        super().__init__(BODY_TOO_LARGE, too_large_detail(max_body_bytes))


class RequestBodyTimeout(ProblemError):
    """Raised from ``receive`` when the body has not fully arrived within the read timeout."""

    def __init__(self, read_timeout_s: float) -> None:
        unit = "second" if read_timeout_s == 1 else "seconds"
        detail = (
            f"The request body did not arrive within {read_timeout_s:g} {unit}. "
            "Send the whole body without pauses."
        )
        super().__init__(REQUEST_TIMEOUT, detail)


def too_large_detail(max_body_bytes: int) -> str:
    return f"The request body exceeds the limit of {max_body_bytes} bytes. Send a smaller body."


def declared_length(scope: Scope) -> int | None:
    """Return the request's Content-Length, or None when it is absent or not a number."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class ReadDeadlines:
    """Time out ``receive`` calls of one event loop with one shared timer instead of one per call.

    An ``asyncio.timeout`` per read schedules and cancels a timer handle on every request, which
    cost about 4 µs of the api's time per ``POST`` under uvloop. Here a read records its task and
    deadline in a dictionary, and one timer, armed only while reads wait, checks them every
    ``check_interval_s`` seconds and cancels the tasks past their deadline, the way
    ``asyncio.timeout`` does. So a stalled read ends between its deadline and one interval later.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, check_interval_s: float) -> None:
        self.loop = loop
        self.check_interval_s = check_interval_s
        self._waiting: dict[asyncio.Task[Any], float] = {}
        self._expired: set[asyncio.Task[Any]] = set()
        self._timer: asyncio.TimerHandle | None = None

    async def receive(self, receive: Receive, task: asyncio.Task[Any], deadline: float) -> Message:
        """Return ``await receive()``, or raise ``TimeoutError`` when it is still waiting at
        ``deadline`` (a time of the loop's clock). ``task`` is the task that calls this."""
        self._waiting[task] = deadline
        if self._timer is None:
            self._timer = self.loop.call_later(self.check_interval_s, self._check)
        try:
            return await receive()
        except asyncio.CancelledError:
            if task in self._expired and task.uncancel() == 0:
                raise TimeoutError from None
            raise
        finally:
            del self._waiting[task]
            self._expired.discard(task)

    def _check(self) -> None:
        self._timer = None
        now = self.loop.time()
        for task, deadline in self._waiting.items():
            if deadline <= now and task not in self._expired:
                self._expired.add(task)
                task.cancel()
        if self._waiting:
            self._timer = self.loop.call_later(self.check_interval_s, self._check)


class BodyLimitMiddleware:
    """Bound the size and the read time of request bodies: 413 past ``max_body_bytes`` and 408
    when the whole body takes longer than ``read_timeout_s`` to arrive.

    A declared Content-Length over the limit gets the 413 before any byte of the body is read.
    A chunked body is counted as the app reads it, and the read that crosses the limit raises
    ``RequestBodyTooLarge``, which the app's exception handler renders as the 413. So the api
    never keeps more than the limit plus one chunk of any body in memory. The read time starts
    at the app's first read, so a request whose body the app never reads is never timed out.
    A read that waits past the deadline ends with ``RequestBodyTimeout`` within a tenth of the
    timeout (at most ``MAX_CHECK_INTERVAL_S``) after it; see ``ReadDeadlines``.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int, read_timeout_s: float) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.read_timeout_s = read_timeout_s
        self.check_interval_s = min(MAX_CHECK_INTERVAL_S, read_timeout_s / 10)
        # Keyed by loop, because one app can be served by several loops in turn (each
        # TestClient runs its own).
        self._deadlines: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ReadDeadlines] = (
            weakref.WeakKeyDictionary()
        )

    def _read_deadlines(self, loop: asyncio.AbstractEventLoop) -> ReadDeadlines:
        deadlines = self._deadlines.get(loop)
        if deadlines is None:
            deadlines = self._deadlines[loop] = ReadDeadlines(loop, self.check_interval_s)
        return deadlines

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        length = declared_length(scope)
        if length is not None and length > self.max_body_bytes:
            detail = too_large_detail(self.max_body_bytes)
            await problem_response(BODY_TOO_LARGE, detail, scope)(scope, receive, send)
            return

        received = 0
        body_complete = False
        deadline: float | None = None

        async def receive_within_limits() -> Message:
            nonlocal received, body_complete, deadline
            if body_complete:
                return await receive()

            # The task's loop, not asyncio.get_running_loop(), which costs a getpid system call
            # per call on Python 3.11.
            task = asyncio.current_task()
            assert task is not None
            deadlines = self._read_deadlines(task.get_loop())
            if deadline is None:
                deadline = deadlines.loop.time() + self.read_timeout_s
            try:
                message = await deadlines.receive(receive, task, deadline)
            except TimeoutError as exc:
                raise RequestBodyTimeout(self.read_timeout_s) from exc

            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise RequestBodyTooLarge(self.max_body_bytes)
                body_complete = not message.get("more_body", False)
            return message

        await self.app(scope, receive_within_limits, send)
