"""The per-host circuit breaker, with a fake clock."""

from __future__ import annotations

from prometheus_client import REGISTRY

from resilient_http import BreakerState, CircuitBreaker


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _open_breaker(clock: FakeClock, host: str = "http://breaker.test:1") -> CircuitBreaker:
    breaker = CircuitBreaker(host, threshold=3, open_s=10.0, clock=clock)
    for _ in range(3):
        assert breaker.allow()
        breaker.record(failed=True)
    return breaker


def test_opens_after_threshold() -> None:
    """Three consecutive failures open the breaker, which then rejects attempts."""
    breaker = _open_breaker(FakeClock())

    assert breaker.state is BreakerState.OPEN
    assert not breaker.allow()


def test_success_resets_count() -> None:
    """A success between failures restarts the count of consecutive failures."""
    breaker = CircuitBreaker("http://breaker.test:2", threshold=2, open_s=10.0, clock=FakeClock())
    breaker.record(failed=True)
    breaker.record(failed=False)
    breaker.record(failed=True)

    assert breaker.state is BreakerState.CLOSED


def test_one_probe_after_interval() -> None:
    """After the open interval exactly one attempt goes through as the probe."""
    clock = FakeClock()
    breaker = _open_breaker(clock)
    clock.now += 10.0

    assert breaker.allow()
    assert breaker.state is BreakerState.HALF_OPEN
    assert not breaker.allow()


def test_probe_success_closes() -> None:
    """A successful probe closes the breaker."""
    clock = FakeClock()
    breaker = _open_breaker(clock)
    clock.now += 10.0
    breaker.allow()
    breaker.record(failed=False)

    assert breaker.state is BreakerState.CLOSED
    assert breaker.allow()


def test_probe_failure_reopens() -> None:
    """A failed probe opens the breaker for another interval."""
    clock = FakeClock()
    breaker = _open_breaker(clock)
    clock.now += 10.0
    breaker.allow()
    breaker.record(failed=True)

    assert breaker.state is BreakerState.OPEN
    assert breaker.seconds_until_probe() == 10.0


def test_lost_probe_does_not_block_forever() -> None:
    """A probe that never reports lets another probe through after another interval."""
    clock = FakeClock()
    breaker = _open_breaker(clock)
    clock.now += 10.0
    assert breaker.allow()
    clock.now += 10.0

    assert breaker.allow()


def test_state_gauge_follows_state() -> None:
    """The breaker-state gauge shows 1 while open and 0 once closed."""
    clock = FakeClock()
    host = "http://gauge.test:3"
    breaker = _open_breaker(clock, host)
    assert REGISTRY.get_sample_value("resilient_http_breaker_state", {"host": host}) == 1

    clock.now += 10.0
    breaker.allow()
    breaker.record(failed=False)
    assert REGISTRY.get_sample_value("resilient_http_breaker_state", {"host": host}) == 0
