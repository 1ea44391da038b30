"""The long-running caller (`caller watch`) while the api restarts, and one request id followed
from the caller through the api to the upstream."""

from __future__ import annotations

import time
from typing import Any

from tests.fault.stack import ComposeStack, utc_now

#: Rounds start every CALLER_INTERVAL_S seconds (15 s in .env, 5 s in .ci/run), and a round takes
#: about 2 s plus retries. This allows several rounds at the .env interval.
ROUND_TIMEOUT_S = 90.0
RECOVERY_TIMEOUT_S = 60.0
POLL_INTERVAL_S = 1.0
#: The route of the api's call to the upstream, as the api's access log names it.
TODO_ROUTE = "/todos/{id}"
#: The caller's check that sends GET /todos/1 to the api, which fetches it from the upstream.
API_TODO_CHECK = "api_todo"
#: Seconds of logs searched for the ids of the last passing round: one round and its interval.
LOG_WINDOW_S = 60.0


def round_summaries(stack: ComposeStack, since: str) -> list[dict[str, Any]]:
    """Return the caller's round summary records written since ``since``."""
    return [
        record
        for record in stack.log_records("caller", since)
        if record.get("logger") == "caller" and "run_id" in record and "failed" in record
    ]


def failed_checks(rounds: list[dict[str, Any]]) -> list[str]:
    """Return the failed checks of the first failing round in ``rounds``."""
    return next(list(r.get("failed_checks", [])) for r in rounds if r["failed"] > 0)


def wait_for_round(stack: ComposeStack, since: str, *, passing: bool) -> list[dict[str, Any]]:
    """Wait for a round summary after ``since`` that passed (no failed check) or, with
    ``passing=False``, failed; return every summary seen since then."""
    deadline = time.monotonic() + ROUND_TIMEOUT_S
    while True:
        rounds = round_summaries(stack, since)
        if any((summary["failed"] == 0) == passing for summary in rounds):
            return rounds
        outcome = "passing" if passing else "failing"
        assert time.monotonic() < deadline, (
            f"no {outcome} round of the caller within {ROUND_TIMEOUT_S}s after {since}; "
            f"rounds seen: {[(r.get('passed'), r.get('failed_checks')) for r in rounds]}"
        )
        time.sleep(POLL_INTERVAL_S)


def test_caller_recovers_after_api_restart(stack: ComposeStack) -> None:
    """The api stops until a caller round fails, then starts again: a later round passes, and
    the caller's container neither restarted nor was started again."""
    caller_before = stack.container_state("caller")
    assert caller_before.status == "running"
    since = utc_now()

    stack.compose("stop", "api")
    failing = wait_for_round(stack, since, passing=False)
    stack.compose("start", "api")
    stack.wait_for_health("api", RECOVERY_TIMEOUT_S)
    api_back = utc_now()
    passing = wait_for_round(stack, api_back, passing=True)

    caller_after = stack.container_state("caller")
    rounds = round_summaries(stack, since)
    print(
        f"\ncaller watch across the api restart: {len(rounds)} rounds, "
        f"{sum(r['failed'] > 0 for r in rounds)} with failed checks; failed while the api was "
        f"down: {failed_checks(failing)}; first passing round after it was healthy again: "
        f"{next(r['run_id'] for r in passing if r['failed'] == 0)}"
    )
    # The api may stop in the middle of a round, so which api checks failed varies; the checks
    # of the other upstreams must not fail.
    failed = failed_checks(failing)
    assert failed
    assert all(name.startswith("api_") for name in failed), failed
    assert caller_after.status == "running"
    assert caller_after.started_at == caller_before.started_at
    assert caller_after.restart_count == caller_before.restart_count


def test_request_id_in_every_service_log(stack: ComposeStack) -> None:
    """The caller's GET /todos/{id} through the api shows one request id in the caller's, the
    api's and the upstream's logs."""
    since = utc_now()
    wait_for_round(stack, since, passing=True)
    # The passing round may have started before ``since``, so the logs are read from earlier on.
    window_start = utc_now(seconds_ago=LOG_WINDOW_S)

    caller_ids = [
        str(record["request_id"])
        for record in stack.log_records("caller", window_start)
        if record.get("check") == API_TODO_CHECK and record.get("request_id")
    ]
    assert caller_ids, f"the caller logged no request id with its {API_TODO_CHECK} check"
    request_id = caller_ids[-1]

    api_routes = [
        record.get("route")
        for record in stack.log_records("api", window_start)
        if record.get("logger") == "api.access" and record.get("request_id") == request_id
    ]
    upstream_paths = [
        record.get("path")
        for record in stack.log_records("upstream", window_start)
        if record.get("request_id") == request_id
    ]
    print(
        f"\nrequest id {request_id} of the caller's {API_TODO_CHECK} check: api access lines "
        f"{api_routes}, upstream access lines {upstream_paths}"
    )
    # A retried attempt carries the same id, so the id may appear more than once.
    assert api_routes, f"the api logged no request with id {request_id}"
    assert set(api_routes) == {TODO_ROUTE}
    assert upstream_paths, f"the upstream logged no request with id {request_id}"
    assert set(upstream_paths) == {"/todos/1"}
