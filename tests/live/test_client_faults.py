"""The resilient client against the stand-in container, over the compose network.

These repeat the core of the fault matrix where it matters most that the real network and the
container's uvicorn behave like loopback: retries, deadlines, cut bodies and the budget.
"""

from __future__ import annotations

import pytest

from resilient_http import DeadlineExceeded, RetryPolicy, attempts_of, no_retry_waits
from tests.resilient_http.stand_in import Caller, StandIn

pytestmark = pytest.mark.live


@pytest.fixture
def stand_in(upstream_url: str) -> StandIn:
    """The stand-in container with a fresh fault key."""
    return StandIn(upstream_url)


@pytest.fixture(params=["sync", "async"])
def caller(request: pytest.FixtureRequest, upstream_url: str) -> Caller:
    """A caller of the stand-in container through each client, with fresh host state."""
    return Caller(request.param, upstream_url)


def test_live_503_retried(caller: Caller, stand_in: StandIn) -> None:
    """Two 503s and then a 200 take three attempts, each numbered in X-Attempt."""
    stand_in.script(times=2, status=503)
    response = caller.call("GET", stand_in.path)

    assert response.status_code == 200
    assert [attempt.outcome for attempt in attempts_of(response)] == ["503", "503", "200"]
    assert stand_in.sent_headers("X-Attempt") == ["1", "2", "3"]


def test_live_trickle_stops_at_deadline(caller: Caller, stand_in: StandIn) -> None:
    """A body trickled one byte per second cannot hold a 2 s call past 2.1 s."""
    stand_in.script(times=None, status=200, body_bytes=10, trickle_interval_s=1.0)
    with pytest.raises(DeadlineExceeded):
        caller.call("GET", stand_in.path, RetryPolicy(deadline_s=2.0))

    assert caller.last_call_s < 2.1


def test_live_cut_body_retried(caller: Caller, stand_in: StandIn) -> None:
    """A connection closed mid-body fails that attempt and a GET succeeds on the next."""
    stand_in.script(times=1, status=200, body_bytes=20, cut_after_bytes=5)
    response = caller.call("GET", stand_in.path)

    assert [attempt.outcome for attempt in attempts_of(response)] == ["disconnected", "200"]


def test_live_post_with_key_retried(caller: Caller, stand_in: StandIn) -> None:
    """A POST with a minted Idempotency-Key is retried and sends the same key twice."""
    stand_in.script(times=1, status=503)
    response = caller.call("POST", stand_in.path, json={"a": 1}, idempotency_key="auto")

    keys = stand_in.sent_headers("Idempotency-Key")
    assert response.status_code == 200
    assert len(keys) == 2
    assert keys[0] == keys[1]


def test_live_budget_caps_outage(caller: Caller, stand_in: StandIn) -> None:
    """Over 200 calls to a stand-in that always returns 503, mean attempts stay at most 1.2."""
    stand_in.script(times=None, status=503)
    with no_retry_waits():
        counts = caller.repeat(200, stand_in.path, RetryPolicy())

    assert sum(counts) / len(counts) <= 1.2
