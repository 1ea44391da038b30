"""The long-running caller (`caller watch`) while the api restarts, and one request id followed
from the caller through the api to the upstream."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.fault.stack import ComposeStack, utc_now

#: Rounds start every CALLER_INTERVAL_S seconds (15 s in .env, 5 s in .ci/run), and a round takes
#: about 2 s plus retries. This allows several rounds at the .env interval.
ROUND_TIMEOUT_S = 90.0
RECOVERY_TIMEOUT_S = 60.0
POLL_INTERVAL_S = 1.0
#: The route of the api's call to the upstream, as the api's access log names it.
TODO_ROUTE = "/todos/{todo_id}"


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
    assert "api_health" in failed_checks(failing)
    assert caller_after.status == "running"
    assert caller_after.started_at == caller_before.started_at
    assert caller_after.restart_count == caller_before.restart_count


# NOTE: expected to fail until the caller sends X-Request-ID and logs it with each call. Until
# then the api makes up the id, forwards it upstream, and the caller's logs never show it.
@pytest.mark.xfail(reason="the caller does not send X-Request-ID yet", strict=False)
def test_request_id_in_every_service_log(stack: ComposeStack) -> None:
    """A caller round's GET /todos/{id} on the api shows one request id in the caller's, the
    api's and the upstream's logs."""
    since = utc_now()
    wait_for_round(stack, since, passing=True)

    api_ids = [
        str(record["request_id"])
        for record in stack.log_records("api", since)
        if record.get("logger") == "api.access"
        and record.get("route") == TODO_ROUTE
        and record.get("status") == 200
        and not str(record.get("request_id")).startswith("fault-")
    ]
    upstream_ids = {
        str(record.get("request_id")) for record in stack.log_records("upstream", since)
    }
    caller_lines = stack.log_lines("caller", since)
    followed = [
        request_id
        for request_id in api_ids
        if request_id in upstream_ids and any(request_id in line for line in caller_lines)
    ]
    print(
        f"\nrequest ids: the api served GET {TODO_ROUTE} {len(api_ids)} times {api_ids}; "
        f"found in the upstream's and the caller's logs: {followed}"
    )
    assert api_ids, f"the api logged no GET {TODO_ROUTE} from the caller since {since}"
    missing_upstream = [request_id for request_id in api_ids if request_id not in upstream_ids]
    assert missing_upstream == [], "the upstream's logs lack request ids the api forwarded"
    assert followed, (
        "no request id of the api's GET /todos appears in the caller's logs: the caller must "
        "send X-Request-ID and log it with the call"
    )
