"""ReadDeadlines: one shared timer that ends body reads waiting past their deadline."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from api.middleware.body_limit import ReadDeadlines

INTERVAL_S = 0.01
MESSAGE = {"type": "http.request", "body": b"{}", "more_body": False}


async def never_returns() -> dict[str, Any]:
    await asyncio.Event().wait()
    raise AssertionError("unreachable")


def returns_after(delay_s: float) -> Callable[[], Awaitable[dict[str, Any]]]:
    async def receive() -> dict[str, Any]:
        await asyncio.sleep(delay_s)
        return MESSAGE

    return receive


async def immediately() -> dict[str, Any]:
    return MESSAGE


async def read(
    deadlines: ReadDeadlines,
    receive: Callable[[], Awaitable[dict[str, Any]]],
    deadline: float,
) -> dict[str, Any]:
    """Call ``deadlines.receive`` from the task that runs this, as the middleware does."""
    task = asyncio.current_task()
    assert task is not None
    return await deadlines.receive(receive, task, deadline)


def run(main: Callable[[ReadDeadlines, asyncio.AbstractEventLoop], Awaitable[Any]]) -> Any:
    async def wrapper() -> Any:
        loop = asyncio.get_running_loop()
        return await main(ReadDeadlines(loop, INTERVAL_S), loop)

    return asyncio.run(wrapper())


def test_read_past_deadline_times_out() -> None:
    """A read still waiting at its deadline raises TimeoutError soon after it, not before."""

    async def main(deadlines: ReadDeadlines, loop: asyncio.AbstractEventLoop) -> float:
        started = loop.time()
        with pytest.raises(TimeoutError):
            await read(deadlines, never_returns, started + 0.05)
        return loop.time() - started

    elapsed = run(main)
    assert 0.05 <= elapsed < 2


def test_read_in_time_returns_its_message() -> None:
    """A read that ends before its deadline returns what ``receive`` returned."""

    async def main(deadlines: ReadDeadlines, loop: asyncio.AbstractEventLoop) -> Any:
        return await read(deadlines, returns_after(0.02), loop.time() + 5)

    assert run(main) is MESSAGE


def test_finished_read_leaves_no_deadline_behind() -> None:
    """A read that returned at once does not shorten a later read of the same task."""

    async def main(deadlines: ReadDeadlines, loop: asyncio.AbstractEventLoop) -> Any:
        await read(deadlines, immediately, loop.time() + 0.01)
        return await read(deadlines, returns_after(0.1), loop.time() + 5)

    assert run(main) is MESSAGE


def test_only_the_late_read_times_out() -> None:
    """Of two reads waiting at once, only the one past its deadline ends early."""

    async def main(deadlines: ReadDeadlines, loop: asyncio.AbstractEventLoop) -> list[Any]:
        late = asyncio.create_task(read(deadlines, never_returns, loop.time() + 0.05))
        in_time = asyncio.create_task(read(deadlines, returns_after(0.2), loop.time() + 5))
        return await asyncio.gather(late, in_time, return_exceptions=True)

    late, in_time = run(main)
    assert isinstance(late, TimeoutError)
    assert in_time is MESSAGE


def test_other_cancellation_is_not_a_timeout() -> None:
    """Cancelling the reading task, as a server shutdown does, stays a cancellation."""

    async def main(deadlines: ReadDeadlines, loop: asyncio.AbstractEventLoop) -> None:
        reader = asyncio.create_task(read(deadlines, never_returns, loop.time() + 5))
        await asyncio.sleep(0.05)
        reader.cancel()
        with pytest.raises(asyncio.CancelledError):
            await reader

    run(main)


def test_double_cancellation_stays_cancellation() -> None:
    """A task cancelled by other code as well as by its deadline gets the cancellation."""

    async def main(deadlines: ReadDeadlines, loop: asyncio.AbstractEventLoop) -> None:
        reader = asyncio.create_task(read(deadlines, never_returns, loop.time()))
        await asyncio.sleep(0)
        # The timer's check and another cancel, both before the reader runs again.
        deadlines._check()
        reader.cancel()
        with pytest.raises(asyncio.CancelledError):
            await reader

    run(main)
