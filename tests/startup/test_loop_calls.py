"""IterationEndCall: one call at the end of the running loop's iteration."""

from __future__ import annotations

import asyncio

from startup.loop_calls import IterationEndCall


def test_call_runs_once_after_the_iteration() -> None:
    """Three schedules in one iteration give one call, after the iteration."""
    calls: list[None] = []
    call = IterationEndCall(lambda: calls.append(None))

    async def schedule_three_times() -> tuple[int, int]:
        for _ in range(3):
            call.schedule()
        during = len(calls)
        await asyncio.sleep(0)
        return during, len(calls)

    assert asyncio.run(schedule_three_times()) == (0, 1)


def test_next_iteration_gets_its_own_call() -> None:
    calls: list[None] = []
    call = IterationEndCall(lambda: calls.append(None))

    async def schedule_in_two_iterations() -> None:
        call.schedule()
        await asyncio.sleep(0)
        call.schedule()
        await asyncio.sleep(0)

    asyncio.run(schedule_in_two_iterations())
    assert len(calls) == 2


def test_schedule_without_a_loop_calls_now() -> None:
    calls: list[None] = []
    call = IterationEndCall(lambda: calls.append(None))
    call.schedule()
    assert len(calls) == 1


def test_call_survives_a_stopped_loop() -> None:
    """A loop that stopped before its call ran does not keep the next loop from calling."""
    calls: list[str] = []
    call = IterationEndCall(lambda: calls.append("called"))
    first = asyncio.new_event_loop()

    def schedule_and_stop() -> None:
        call.schedule()
        # The loop stops after this iteration, before the call it scheduled for the next.
        first.stop()

    first.call_soon(schedule_and_stop)
    first.run_forever()
    first.close()
    assert calls == []

    async def schedule_and_yield() -> list[str]:
        call.schedule()
        during = list(calls)
        await asyncio.sleep(0)
        return during

    assert asyncio.run(schedule_and_yield()) == []
    assert calls == ["called"]
