"""The per-host retry budget, with a fake clock."""

from __future__ import annotations

import threading

import pytest

from resilient_http import RetryBudget
from resilient_http._budget import RESERVE_REFILL_S


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_fresh_budget_spends_reserve() -> None:
    """A fresh budget allows exactly ``reserve`` retries with no first attempts."""
    budget = RetryBudget(ratio=0.1, reserve=3, clock=FakeClock())

    assert [budget.try_spend() for _ in range(4)] == [True, True, True, False]


def test_first_attempts_earn_retries() -> None:
    """Ten first attempts at ratio 0.1 earn one retry once the reserve is spent."""
    budget = RetryBudget(ratio=0.1, reserve=0, clock=FakeClock())
    for _ in range(10):
        budget.record_first_attempt()

    assert budget.try_spend()
    assert not budget.try_spend()


def test_reserve_refills_when_quiet() -> None:
    """After RESERVE_REFILL_S seconds of quiet, the reserve is full again."""
    clock = FakeClock()
    budget = RetryBudget(ratio=0.1, reserve=2, clock=clock)
    assert budget.try_spend()
    assert budget.try_spend()
    assert not budget.try_spend()

    clock.now += RESERVE_REFILL_S

    assert budget.tokens == pytest.approx(2.0)


def test_refill_stops_at_reserve() -> None:
    """Quiet time alone never fills the budget past its reserve."""
    clock = FakeClock()
    budget = RetryBudget(ratio=0.1, reserve=2, clock=clock)
    clock.now += 10 * RESERVE_REFILL_S

    assert budget.tokens == pytest.approx(2.0)


def test_earned_tokens_capped() -> None:
    """A long run of successes earns at most ``capacity`` tokens."""
    budget = RetryBudget(ratio=0.1, reserve=2, clock=FakeClock())
    for _ in range(10_000):
        budget.record_first_attempt()

    assert budget.tokens == pytest.approx(budget.capacity)
    assert budget.capacity == pytest.approx(12.0)


def test_budget_thread_safe() -> None:
    """Eight threads spending at once never take more than the tokens there were."""
    budget = RetryBudget(ratio=0.0, reserve=100, clock=FakeClock())
    granted: list[bool] = []
    lock = threading.Lock()

    def spend() -> None:
        for _ in range(50):
            result = budget.try_spend()
            with lock:
                granted.append(result)

    threads = [threading.Thread(target=spend) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert granted.count(True) == 100


def test_refill_counts_only_time_below_reserve() -> None:
    """Quiet time spent at a full reserve earns nothing once retries drain the bucket."""
    clock = FakeClock()
    budget = RetryBudget(ratio=0.1, reserve=2, clock=clock)
    clock.now += 100 * RESERVE_REFILL_S
    budget.record_first_attempt()
    assert budget.try_spend()
    assert budget.try_spend()

    clock.now += RESERVE_REFILL_S / 10
    budget.record_first_attempt()

    # 0.1 left after the spends, 0.2 refilled in a tenth of the refill time, 0.1 deposited.
    assert budget.tokens == pytest.approx(0.4)
