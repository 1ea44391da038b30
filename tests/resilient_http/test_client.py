"""The resilient client against a scripted server on loopback, over real sockets."""

from __future__ import annotations

import anyio
import pytest

from resilient_http import (
    AsyncResilientClient,
    DeadlineExceeded,
    NotRetryable,
    ResilientClient,
    RetriesExhausted,
    RetryPolicy,
    attempts_of,
)
from tests.resilient_http.conftest import Answer, ScriptedServer

FAST = RetryPolicy(backoff_base_s=0.001, backoff_cap_s=0.002, deadline_s=5.0)


def test_retries_503_until_success(scripted_server: ScriptedServer) -> None:
    """503, 503, 200 ends in success after three attempts."""
    scripted_server.answer_with(Answer(503), Answer(503), Answer(200))
    with ResilientClient(scripted_server.url, policy=FAST) as client:
        response = client.get("/thing")

    assert response.status_code == 200
    assert [attempt.outcome for attempt in attempts_of(response)] == ["503", "503", "200"]
    assert scripted_server.hits == 3


def test_400_fails_fast(scripted_server: ScriptedServer) -> None:
    """A 400 is returned after one attempt, with no retry."""
    scripted_server.answer_with(Answer(400))
    with ResilientClient(scripted_server.url, policy=FAST) as client:
        response = client.get("/thing")

    assert response.status_code == 400
    assert scripted_server.hits == 1


def test_attempt_header_counts_attempts(scripted_server: ScriptedServer) -> None:
    """Each attempt carries its number in the X-Attempt header."""
    scripted_server.answer_with(Answer(502), Answer(200))
    with ResilientClient(scripted_server.url, policy=FAST) as client:
        client.get("/thing")

    assert [headers["X-Attempt"] for headers in scripted_server.requests] == ["1", "2"]


def test_503_stops_after_max_attempts(scripted_server: ScriptedServer) -> None:
    """An upstream that always returns 503 gets exactly max_attempts requests."""
    scripted_server.fallback = Answer(503)
    with (
        ResilientClient(scripted_server.url, policy=FAST) as client,
        pytest.raises(RetriesExhausted) as caught,
    ):
        client.get("/thing")

    assert scripted_server.hits == 3
    assert caught.value.status_code == 503
    assert len(caught.value.attempts) == 3
    assert "failed after 3 attempts" in str(caught.value)


def test_post_503_not_retried(scripted_server: ScriptedServer) -> None:
    """A POST without an Idempotency-Key is not retried on a 503."""
    scripted_server.fallback = Answer(503)
    with ResilientClient(scripted_server.url, policy=FAST) as client:
        response = client.post("/thing", json={})

    assert response.status_code == 503
    assert scripted_server.hits == 1


def test_post_503_retried_with_idempotency_key(scripted_server: ScriptedServer) -> None:
    """A POST carrying an Idempotency-Key is retried like a GET."""
    scripted_server.answer_with(Answer(503), Answer(201))
    with ResilientClient(scripted_server.url, policy=FAST) as client:
        response = client.post("/thing", json={}, headers={"Idempotency-Key": "k-1"})

    assert response.status_code == 201
    assert scripted_server.hits == 2


def test_slow_answer_times_out_then_retries(scripted_server: ScriptedServer) -> None:
    """A slow response is a read timeout, retried, and the call then succeeds."""
    scripted_server.answer_with(Answer(200, delay_s=1.0), Answer(200))
    policy = RetryPolicy(read_timeout_s=0.2, backoff_base_s=0.001, deadline_s=5.0)
    with ResilientClient(scripted_server.url, policy=policy) as client:
        response = client.get("/thing")

    assert response.status_code == 200
    assert [attempt.outcome for attempt in attempts_of(response)] == ["read_timeout", "200"]


def test_always_slow_ends_with_clear_error(scripted_server: ScriptedServer) -> None:
    """An upstream that is always too slow ends in an error listing every timed-out attempt."""
    scripted_server.fallback = Answer(200, delay_s=1.0)
    policy = RetryPolicy(read_timeout_s=0.2, backoff_base_s=0.001, deadline_s=5.0)
    with (
        ResilientClient(scripted_server.url, policy=policy) as client,
        pytest.raises(RetriesExhausted) as caught,
    ):
        client.get("/thing")

    assert [attempt.outcome for attempt in caught.value.attempts] == ["read_timeout"] * 3
    assert "read_timeout on the last of 3 attempts" in str(caught.value)


def test_post_read_timeout_not_retried(scripted_server: ScriptedServer) -> None:
    """A POST that timed out after it was sent is not repeated."""
    scripted_server.fallback = Answer(200, delay_s=1.0)
    policy = RetryPolicy(read_timeout_s=0.2, backoff_base_s=0.001, deadline_s=5.0)
    with ResilientClient(scripted_server.url, policy=policy) as client, pytest.raises(NotRetryable):
        client.post("/thing", json={})

    assert scripted_server.hits == 1


def test_deadline_bounds_whole_call(scripted_server: ScriptedServer) -> None:
    """With a 0.5 s deadline, a 3 s response ends the call as DeadlineExceeded, not a late 200."""
    scripted_server.fallback = Answer(200, delay_s=3.0)
    policy = RetryPolicy(deadline_s=0.5, read_timeout_s=10.0)
    with (
        ResilientClient(scripted_server.url, policy=policy) as client,
        pytest.raises(DeadlineExceeded) as caught,
    ):
        client.get("/thing")

    assert caught.value.attempts[-1].elapsed_s < 2.5


def test_connection_refused_retried_for_post() -> None:
    """A refused connection never reached the server, so even a POST is retried."""
    from tests.conftest import free_port

    url = f"http://127.0.0.1:{free_port()}"
    with ResilientClient(url, policy=FAST) as client, pytest.raises(RetriesExhausted) as caught:
        client.post("/thing", json={})

    assert [attempt.outcome for attempt in caught.value.attempts] == ["connect_error"] * 3


def test_async_client_retries_503(scripted_server: ScriptedServer) -> None:
    """The async client follows the same rules: 503, 200 succeeds on the second attempt."""
    scripted_server.answer_with(Answer(503), Answer(200))

    async def call() -> list[str]:
        async with AsyncResilientClient(scripted_server.url, policy=FAST) as client:
            response = await client.get("/thing")
        return [attempt.outcome for attempt in attempts_of(response)]

    assert anyio.run(call) == ["503", "200"]


def test_async_deadline_cuts_slow_answer(scripted_server: ScriptedServer) -> None:
    """The async client's deadline fires even when the read timeout is longer."""
    scripted_server.fallback = Answer(200, delay_s=3.0)
    policy = RetryPolicy(deadline_s=0.5, read_timeout_s=10.0)

    async def call() -> None:
        async with AsyncResilientClient(scripted_server.url, policy=policy) as client:
            await client.get("/thing")

    with pytest.raises(DeadlineExceeded) as caught:
        anyio.run(call)
    assert caught.value.attempts[-1].outcome == "deadline"
