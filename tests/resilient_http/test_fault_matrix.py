"""Every rule of the client against the stand-in upstream over real sockets, sync and async.

Each test runs twice through the ``caller`` fixture: once with ``ResilientClient`` and once with
``AsyncResilientClient``. Faults are scripted on the stand-in per test key.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

import httpx2
import pytest
from prometheus_client import REGISTRY

from resilient_http import (
    RETRY_DECISION_EVENT,
    BreakerState,
    CircuitOpen,
    DeadlineExceeded,
    NotRetryable,
    RetriesExhausted,
    RetryBudgetExhausted,
    RetryHintTooLong,
    RetryPolicy,
    attempts_of,
    no_retry_waits,
)
from tests.conftest import free_port
from tests.resilient_http.stand_in import FAST, Caller, StandIn

# 1. One deadline per logical call.


def test_trickled_body_stops_at_deadline(caller: Caller, stand_in: StandIn) -> None:
    """A body trickled one byte per second cannot hold a 2 s call past 2.1 s."""
    stand_in.script(times=None, status=200, body_bytes=10, trickle_interval_s=1.0)
    policy = RetryPolicy(deadline_s=2.0, read_timeout_s=5.0)

    with pytest.raises(DeadlineExceeded) as caught:
        caller.call("GET", stand_in.path, policy)

    assert caller.last_call_s < 2.1
    assert caught.value.attempts[-1].outcome == "deadline"


def test_delayed_headers_stop_at_deadline(caller: Caller, stand_in: StandIn) -> None:
    """Headers sent after 3 s end a 0.5 s call as DeadlineExceeded near 0.5 s."""
    stand_in.script(times=None, status=200, delay_s=3.0)
    policy = RetryPolicy(deadline_s=0.5, read_timeout_s=10.0)

    with pytest.raises(DeadlineExceeded):
        caller.call("GET", stand_in.path, policy)

    assert caller.last_call_s < 0.7


def test_backoff_past_deadline_not_slept(caller: Caller, stand_in: StandIn) -> None:
    """A backoff that would end past the deadline fails the call at once instead of sleeping."""
    stand_in.script(times=None, status=503)
    policy = RetryPolicy(deadline_s=1.0, backoff_base_s=5.0, backoff_cap_s=5.0)

    with pytest.raises(DeadlineExceeded) as caught:
        caller.call("GET", stand_in.path, policy, client_options={"uniform": lambda: 0.9})

    assert caller.last_call_s < 0.5
    assert "would end past the deadline" in str(caught.value)
    assert stand_in.hits == 1


# 2. Attempts.


def test_three_attempts_by_default(caller: Caller, stand_in: StandIn) -> None:
    """An upstream that always returns 503 gets three attempts by default."""
    stand_in.script(times=None, status=503)
    with pytest.raises(RetriesExhausted):
        caller.call("GET", stand_in.path)

    assert stand_in.hits == 3


def test_attempts_from_policy(caller: Caller, stand_in: StandIn) -> None:
    """The policy's max_attempts sets the number of attempts."""
    stand_in.script(times=None, status=503)
    with pytest.raises(RetriesExhausted):
        caller.call("GET", stand_in.path, replace(FAST, max_attempts=5))

    assert stand_in.hits == 5


def test_attempts_overridden_per_call(caller: Caller, stand_in: StandIn) -> None:
    """A call's ``attempts`` argument wins over the policy."""
    stand_in.script(times=None, status=503)
    with pytest.raises(RetriesExhausted):
        caller.call("GET", stand_in.path, attempts=2)

    assert stand_in.hits == 2


# 3. What is retried.

STATUS_CASES = [
    # method, status, extra headers, expected hits
    ("GET", 503, {}, 2),
    ("HEAD", 500, {}, 2),
    ("OPTIONS", 502, {}, 2),
    ("PUT", 504, {}, 2),
    ("DELETE", 503, {}, 2),
    ("POST", 503, {}, 1),
    ("PATCH", 500, {}, 1),
    ("POST", 503, {"Idempotency-Key": "key-1"}, 2),
    ("POST", 408, {}, 2),
    ("POST", 429, {}, 2),
    ("GET", 400, {}, 1),
    ("GET", 404, {}, 1),
    ("PUT", 409, {}, 1),
    ("GET", 422, {}, 1),
]


@pytest.mark.parametrize(
    ("method", "status", "headers", "hits"),
    STATUS_CASES,
    ids=[f"{case[0]}-{case[1]}{'-key' if case[2] else ''}" for case in STATUS_CASES],
)
def test_status_retry_rules(
    caller: Caller,
    stand_in: StandIn,
    method: str,
    status: int,
    headers: dict[str, str],
    hits: int,
) -> None:
    """One failing status, then 200: retried only where the method and the status allow it."""
    stand_in.script(times=1, status=status)
    response = caller.call(method, stand_in.path, headers=headers)

    assert stand_in.hits == hits
    assert response.status_code == (200 if hits == 2 else status)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_connect_refused_retried_for_any_method(caller: Caller, method: str) -> None:
    """A refused connection never reached the server, so every method retries it."""
    url = f"http://127.0.0.1:{free_port()}/thing"
    with pytest.raises(RetriesExhausted) as caught:
        caller.call(method, url)

    assert [attempt.outcome for attempt in caught.value.attempts] == ["connect_error"] * 3


def test_read_timeout_retried_for_get(caller: Caller, stand_in: StandIn) -> None:
    """A GET whose headers come too late is retried and then succeeds."""
    stand_in.script(times=1, status=200, delay_s=1.0)
    response = caller.call("GET", stand_in.path, replace(FAST, read_timeout_s=0.2))

    assert [attempt.outcome for attempt in attempts_of(response)] == ["read_timeout", "200"]


def test_read_timeout_not_retried_for_post(caller: Caller, stand_in: StandIn) -> None:
    """A POST that timed out after it was sent is not repeated."""
    stand_in.script(times=1, status=200, delay_s=1.0)
    with pytest.raises(NotRetryable):
        caller.call("POST", stand_in.path, replace(FAST, read_timeout_s=0.2), json={})

    assert stand_in.hits == 1


def test_cut_body_retried_for_get(caller: Caller, stand_in: StandIn) -> None:
    """A body cut off mid-read fails that attempt, and a GET retries it."""
    stand_in.script(times=1, status=200, body_bytes=20, cut_after_bytes=5)
    response = caller.call("GET", stand_in.path)

    assert response.status_code == 200
    assert [attempt.outcome for attempt in attempts_of(response)] == ["disconnected", "200"]


def test_cut_body_not_retried_for_post(caller: Caller, stand_in: StandIn) -> None:
    """A POST whose response body was cut off raises NotRetryable with the cause chained."""
    stand_in.script(times=1, status=200, body_bytes=20, cut_after_bytes=5)
    with pytest.raises(NotRetryable) as caught:
        caller.call("POST", stand_in.path, json={})

    assert isinstance(caught.value.__cause__, httpx2.RemoteProtocolError)
    assert stand_in.hits == 1


# 4. Idempotency-Key.


def test_minted_key_same_on_every_attempt(caller: Caller, stand_in: StandIn) -> None:
    """A minted Idempotency-Key is sent unchanged on every attempt, and makes a POST retryable."""
    stand_in.script(times=2, status=503)
    response = caller.call("POST", stand_in.path, json={}, idempotency_key="auto")

    keys = stand_in.sent_headers("Idempotency-Key")
    assert response.status_code == 200
    assert len(keys) == 3
    assert keys[0]
    assert len(set(keys)) == 1


def test_caller_key_never_replaced(caller: Caller, stand_in: StandIn) -> None:
    """A key the caller set in the headers is sent as is, even when a key is requested too."""
    stand_in.script(times=1, status=503)
    caller.call(
        "POST",
        stand_in.path,
        headers={"Idempotency-Key": "from-caller"},
        idempotency_key=True,
    )

    assert stand_in.sent_headers("Idempotency-Key") == ["from-caller", "from-caller"]


def test_no_key_unless_requested(caller: Caller, stand_in: StandIn) -> None:
    """Without a request for one, no Idempotency-Key is sent."""
    caller.call("POST", stand_in.path, json={})

    assert stand_in.sent_headers("Idempotency-Key") == [None]


# 5. Server hints.


@pytest.mark.parametrize(
    ("headers", "wait_s"),
    [
        ({"Retry-After": "0.2"}, 0.2),
        ({"Retry-After": "0"}, 0.0),
        ({"retry-after-ms": "150"}, 0.15),
        ({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),
    ],
    ids=["seconds", "zero", "milliseconds", "past-date"],
)
def test_retry_hint_sets_wait(
    caller: Caller, stand_in: StandIn, headers: dict[str, str], wait_s: float
) -> None:
    """The wait before the retry is the server's hint, not the backoff."""
    stand_in.script(times=1, status=503, headers=headers)
    response = caller.call("GET", stand_in.path)

    assert attempts_of(response)[1].wait_s == pytest.approx(wait_s)


@pytest.mark.parametrize("value", ["", "soon", "-3"], ids=["empty", "garbage", "negative"])
def test_bad_retry_hint_falls_back(caller: Caller, stand_in: StandIn, value: str) -> None:
    """An unusable Retry-After falls back to the backoff and the call still succeeds."""
    stand_in.script(times=1, status=503, headers={"Retry-After": value})
    response = caller.call("GET", stand_in.path)

    assert response.status_code == 200
    assert attempts_of(response)[1].wait_s <= FAST.backoff_cap_s


def test_hint_over_maximum_fails_at_once(caller: Caller, stand_in: StandIn) -> None:
    """A Retry-After over max_retry_hint_s raises RetryHintTooLong, carrying the hint, at once."""
    stand_in.script(times=1, status=429, headers={"Retry-After": "120"})

    with pytest.raises(RetryHintTooLong) as caught:
        caller.call("GET", stand_in.path, replace(FAST, max_retry_hint_s=30.0))

    assert caller.last_call_s < 1.0
    assert caught.value.hint_s == 120.0
    assert caught.value.status_code == 429
    assert stand_in.hits == 1


def test_hint_past_deadline_fails_at_once(caller: Caller, stand_in: StandIn) -> None:
    """A Retry-After longer than the time left raises RetryHintTooLong instead of sleeping."""
    stand_in.script(times=1, status=503, headers={"Retry-After": "3"})

    with pytest.raises(RetryHintTooLong) as caught:
        caller.call("GET", stand_in.path, deadline_s=1.0)

    assert caller.last_call_s < 0.5
    assert caught.value.hint_s == 3.0


def test_should_retry_false_stops_retry(caller: Caller, stand_in: StandIn) -> None:
    """``x-should-retry: false`` on a 503 returns the 503 after one attempt."""
    stand_in.script(times=1, status=503, headers={"x-should-retry": "false"})
    response = caller.call("GET", stand_in.path)

    assert response.status_code == 503
    assert stand_in.hits == 1


def test_should_retry_true_retries_400(caller: Caller, stand_in: StandIn) -> None:
    """``x-should-retry: true`` makes a 400 retryable."""
    stand_in.script(times=1, status=400, headers={"x-should-retry": "true"})
    response = caller.call("GET", stand_in.path)

    assert response.status_code == 200
    assert stand_in.hits == 2


# 6. Backoff and testing mode.


def test_backoff_waits_are_full_jitter(caller: Caller, stand_in: StandIn) -> None:
    """With the random source fixed at 0.5, waits are half of base * 2**n."""
    stand_in.script(times=2, status=503)
    policy = replace(FAST, backoff_base_s=0.04, backoff_cap_s=1.0)
    response = caller.call("GET", stand_in.path, policy, client_options={"uniform": lambda: 0.5})

    waits = [attempt.wait_s for attempt in attempts_of(response)]
    assert waits == pytest.approx([0.0, 0.02, 0.04])


def test_no_retry_waits_removes_sleeps(caller: Caller, stand_in: StandIn) -> None:
    """In testing mode a 2 s backoff takes no time and is recorded as a zero wait."""
    stand_in.script(times=2, status=503)
    policy = replace(FAST, backoff_base_s=2.0, backoff_cap_s=2.0)

    with no_retry_waits():
        response = caller.call("GET", stand_in.path, policy, client_options={"uniform": lambda: 1})

    assert caller.last_call_s < 1.0
    assert [attempt.wait_s for attempt in attempts_of(response)] == [0.0, 0.0, 0.0]


# 7. Retry budget.


def test_budget_caps_full_outage(caller: Caller, stand_in: StandIn) -> None:
    """Over 200 calls to an upstream that always returns 503, mean attempts stay at most 1.2."""
    stand_in.script(times=None, status=503)
    with no_retry_waits():
        counts = caller.repeat(200, stand_in.path, RetryPolicy())

    assert sum(counts) / len(counts) <= 1.2
    assert counts[0] == 3


def test_budget_allows_isolated_failures(caller: Caller, stand_in: StandIn) -> None:
    """With one 503 in twenty calls, every failed call is still retried."""

    def fail_every_twentieth(index: int) -> None:
        if index % 20 == 0:
            stand_in.script(times=1, status=503)

    with no_retry_waits():
        counts = caller.repeat(200, stand_in.path, RetryPolicy(), fail_every_twentieth)

    assert counts.count(2) == 10
    assert counts.count(1) == 190


def test_budget_refusal_counted_and_typed(caller: Caller, stand_in: StandIn) -> None:
    """Once the reserve is spent, a retry is rejected with RetryBudgetExhausted and counted."""
    stand_in.script(times=None, status=503)
    policy = RetryPolicy(budget_reserve=1.0, budget_ratio=0.0)
    url = httpx2.URL(stand_in.url)
    labels = {"host": f"http://{url.host}:{url.port}"}
    refusals = REGISTRY.get_sample_value("resilient_http_budget_refusals_total", labels) or 0.0

    with no_retry_waits(), pytest.raises(RetryBudgetExhausted) as caught:
        caller.call("GET", stand_in.path, policy)

    assert [attempt.outcome for attempt in caught.value.attempts] == ["503", "503"]
    assert "retry budget" in str(caught.value)
    assert REGISTRY.get_sample_value("resilient_http_budget_refusals_total", labels) == refusals + 1


# 8. Circuit breaker.


def test_breaker_opens_then_probe_closes(caller: Caller, stand_in: StandIn) -> None:
    """Two failures open the breaker, calls then fail at once, and a good probe closes it."""
    stand_in.script(times=None, status=503)
    policy = replace(FAST, max_attempts=1, breaker_threshold=2, breaker_open_s=0.5)
    for _ in range(2):
        with pytest.raises(RetriesExhausted):
            caller.call("GET", stand_in.path, policy)

    with pytest.raises(CircuitOpen) as caught:
        caller.call("GET", stand_in.path, policy)
    assert caught.value.attempts == []
    assert 0 < caught.value.retry_in_s <= 0.5
    assert stand_in.hits == 2

    stand_in.script(times=1, status=200)
    time.sleep(0.55)
    response = caller.call("GET", stand_in.path, policy)
    assert response.status_code == 200

    host = f"http://{httpx2.URL(stand_in.url).host}:{httpx2.URL(stand_in.url).port}"
    breaker = caller.hosts.breaker(host, policy)
    assert breaker is not None
    assert breaker.state is BreakerState.CLOSED


def test_breaker_off_by_default(caller: Caller, stand_in: StandIn) -> None:
    """Without breaker_threshold, repeated failures never make calls fail at once."""
    stand_in.script(times=None, status=503)
    for _ in range(4):
        with pytest.raises(RetriesExhausted):
            caller.call("GET", stand_in.path, replace(FAST, max_attempts=1))

    assert stand_in.hits == 4


# 9. Errors.


def test_error_carries_attempt_history(caller: Caller, stand_in: StandIn) -> None:
    """The final error lists each attempt's outcome, wait and elapsed time in order."""
    stand_in.script(times=None, status=503)
    with pytest.raises(RetriesExhausted) as caught:
        caller.call("GET", stand_in.path, client_options={"uniform": lambda: 0.5})

    attempts = caught.value.attempts
    assert [attempt.outcome for attempt in attempts] == ["503", "503", "503"]
    assert [attempt.wait_s for attempt in attempts] == pytest.approx([0.0, 0.0005, 0.001])
    assert attempts[0].elapsed_s < attempts[1].elapsed_s < attempts[2].elapsed_s


def test_error_message_is_one_line(caller: Caller, stand_in: StandIn) -> None:
    """The message states what was tried and why it stopped, on one line, without the query."""
    stand_in.script(times=None, status=503)
    with pytest.raises(RetriesExhausted) as caught:
        caller.call("GET", stand_in.path, params={"token": "secret"})

    message = str(caught.value)
    assert "\n" not in message
    assert f"GET {stand_in.url}{stand_in.path} failed after 3 attempts (503, 503, 503)" in message
    assert "status_503 on the last of 3 attempts" in message
    assert "secret" not in message


def test_transport_error_chained(caller: Caller) -> None:
    """A failure from httpx2 is the ``__cause__`` of the client's error."""
    with pytest.raises(RetriesExhausted) as caught:
        caller.call("GET", f"http://127.0.0.1:{free_port()}/")

    assert isinstance(caught.value.__cause__, httpx2.ConnectError)


# 10. Observability.


def test_one_log_event_per_retry_decision(
    caller: Caller, stand_in: StandIn, caplog: pytest.LogCaptureFixture
) -> None:
    """Each decision after a 503 logs one structured event; the target has no query string."""
    stand_in.script(times=None, status=503)
    caplog.set_level(logging.INFO, logger="resilient_http")
    with pytest.raises(RetriesExhausted):
        caller.call("GET", stand_in.path, params={"token": "secret"})

    events = [record for record in caplog.records if record.message == RETRY_DECISION_EVENT]
    assert [record.__dict__["decision"] for record in events] == ["retry", "retry", "failed"]
    assert [record.__dict__["attempt"] for record in events] == [1, 2, 3]
    first = events[0].__dict__
    assert first["target"] == f"{stand_in.url}{stand_in.path}"
    assert first["outcome"] == "503"
    assert first["reason"] == "status_503"
    assert first["wait_s"] >= 0
    assert first["time_left_s"] > 0
    assert events[-1].__dict__["reason"] == "attempts exhausted"


def test_metrics_count_attempts_and_retries(caller: Caller, stand_in: StandIn) -> None:
    """The attempts and retries counters grow by what the call did."""
    url = httpx2.URL(stand_in.url)
    labels = {"host": f"http://{url.host}:{url.port}"}

    def sample(name: str, **extra: str) -> float:
        return REGISTRY.get_sample_value(name, {**labels, **extra}) or 0.0

    attempts_503 = sample("resilient_http_attempts_total", outcome="503")
    retries_503 = sample("resilient_http_retries_total", reason="status_503")
    stand_in.script(times=2, status=503)
    caller.call("GET", stand_in.path)

    assert sample("resilient_http_attempts_total", outcome="503") == attempts_503 + 2
    assert sample("resilient_http_retries_total", reason="status_503") == retries_503 + 2


def test_attempt_number_sent_as_header(caller: Caller, stand_in: StandIn) -> None:
    """Each attempt carries its number in the X-Attempt header."""
    stand_in.script(times=2, status=502)
    caller.call("GET", stand_in.path)

    assert stand_in.sent_headers("X-Attempt") == ["1", "2", "3"]


def test_history_reachable_from_response(caller: Caller, stand_in: StandIn) -> None:
    """``attempts_of`` returns the attempt history of a successful call."""
    stand_in.script(times=1, status=504)
    response = caller.call("GET", stand_in.path)

    assert [attempt.outcome for attempt in attempts_of(response)] == ["504", "200"]
    assert [attempt.number for attempt in attempts_of(response)] == [1, 2]


# 11. Connections.


def test_pooled_connection_reused(stand_in: StandIn) -> None:
    """Sequential calls through one client reuse one pooled connection."""
    from resilient_http import ResilientClient

    with ResilientClient(stand_in.url, policy=FAST) as client:
        ports = set()
        for _ in range(5):
            response = client.get(stand_in.path)
            stream = response.extensions["network_stream"]
            ports.add(stream.get_extra_info("client_addr")[1])

    assert len(ports) == 1
