"""Signals to the api's gunicorn master and workers while a steady load runs through the
resilient client."""

from __future__ import annotations

import time
import uuid
from collections import Counter

from tests.fault.load import SteadyLoad
from tests.fault.stack import ComposeStack, utc_now

#: Successful calls before the fault, so the fault hits a running load.
WARM_UP_CALLS = 20
#: Successful calls after recovery, so the load shows the api serving again.
CALLS_AFTER_RECOVERY = 20
LOAD_WAIT_S = 60.0
#: gunicorn's graceful_timeout (20 s by default) plus its own exit. Compose would send SIGKILL
#: after the api's 30 s stop_grace_period.
SIGTERM_EXIT_TIMEOUT_S = 35.0
#: The container starts in about a second, but Docker runs the first healthcheck only one
#: interval (5 s) after the start.
RECOVERY_TIMEOUT_S = 60.0
WORKER_REPLACED_TIMEOUT_S = 30.0
#: With SIGKILL a worker may die after sending a response but before logging it, so the access
#: log can miss a few calls. Fewer than this share means the log is not being read at all.
MIN_LOGGED_SHARE = 0.9


def served_counts(stack: ComposeStack, since: str, prefix: str) -> Counter[str]:
    """Count the api's access lines per request id, for the ids that start with ``prefix``."""
    counts: Counter[str] = Counter()
    for record in stack.log_records("api", since):
        request_id = record.get("request_id")
        if record.get("logger") == "api.access" and str(request_id).startswith(prefix):
            counts[str(request_id)] += 1
    return counts


def unanswered_requests(load: SteadyLoad, counts: Counter[str]) -> list[str]:
    """List the calls for which the api handled more attempts than the client got responses for.

    Every attempt of a call carries the call's request id, so an access line without a matching
    complete response is a request the server accepted and the client got no response to.
    """
    problems = []
    for record in load.records:
        served = counts.get(record.request_id, 0)
        if served > record.responses:
            outcomes = [attempt.outcome for attempt in record.attempts]
            problems.append(
                f"{record.method} {record.path} {record.request_id}: the api logged {served} "
                f"requests, the client got {record.responses} responses (attempts: {outcomes})"
            )
    return problems


def failed_calls(load: SteadyLoad) -> list[str]:
    return [f"{r.method} {r.path} {r.request_id}: {r.error}" for r in load.records if r.error]


def test_sigterm_to_api_loses_no_call(stack: ComposeStack) -> None:
    """SIGTERM to gunicorn under load: every call succeeds, every request the api accepted gets
    a complete response, and the container exits 0 and comes back with `docker compose start`.

    `docker kill` with the stop signal counts as a manual stop, so the unless-stopped restart
    policy leaves the container down, as it would after `docker compose stop`. The test starts it
    again while the client retries the refused connections.
    """
    since = utc_now()
    prefix = f"fault-sigterm-{uuid.uuid4().hex[:8]}"
    assert stack.container_state("api").status == "running"

    with SteadyLoad(stack.api_url, prefix) as load:
        load.wait_for_successes(WARM_UP_CALLS, LOAD_WAIT_S)
        signalled = time.monotonic()
        stack.compose("kill", "--signal", "SIGTERM", "api")
        stopped = stack.wait_for_status("api", "exited", SIGTERM_EXIT_TIMEOUT_S)
        exit_s = time.monotonic() - signalled

        stack.compose("start", "api")
        stack.wait_for_health("api", RECOVERY_TIMEOUT_S)
        down_s = time.monotonic() - signalled
        load.wait_for_successes(CALLS_AFTER_RECOVERY, LOAD_WAIT_S)

    summary = load.summary()
    counts = served_counts(stack, since, prefix)
    print(
        f"\nSIGTERM: api exited with {stopped.exit_code} after {exit_s:.1f}s, healthy again "
        f"after {down_s:.1f}s. Load: {summary}. The api logged {sum(counts.values())} requests."
    )
    assert stopped.exit_code == 0
    assert summary.failed_attempts, "the load never saw the api down: was the signal sent?"
    assert failed_calls(load) == []
    assert unanswered_requests(load, counts) == []
    # A graceful stop flushes every access line, so each call's successful attempt is logged.
    assert [r.request_id for r in load.records if r.request_id not in counts] == []


def test_sigkill_to_worker_loses_no_call(stack: ComposeStack) -> None:
    """SIGKILL to one gunicorn worker under load: gunicorn starts a new worker, the master and
    the container keep running, and every call succeeds through the retrying client."""
    since = utc_now()
    prefix = f"fault-sigkill-{uuid.uuid4().hex[:8]}"
    container_before = stack.container_state("api")
    workers_before = stack.worker_pids()
    victim = min(workers_before)

    with SteadyLoad(stack.api_url, prefix) as load:
        load.wait_for_successes(WARM_UP_CALLS, LOAD_WAIT_S)
        stack.exec_in(
            "api", "python", "-c", f"import os, signal; os.kill({victim}, signal.SIGKILL)"
        )

        deadline = time.monotonic() + WORKER_REPLACED_TIMEOUT_S
        workers_after = stack.worker_pids()
        while victim in workers_after or len(workers_after) < len(workers_before):
            assert time.monotonic() < deadline, (
                f"gunicorn did not replace worker {victim} within {WORKER_REPLACED_TIMEOUT_S}s: "
                f"workers before {sorted(workers_before)}, now {sorted(workers_after)}"
            )
            time.sleep(0.2)
            workers_after = stack.worker_pids()
        load.wait_for_successes(CALLS_AFTER_RECOVERY, LOAD_WAIT_S)

    summary = load.summary()
    counts = served_counts(stack, since, prefix)
    container_after = stack.container_state("api")
    print(
        f"\nSIGKILL: worker {victim} killed; workers {sorted(workers_before)} -> "
        f"{sorted(workers_after)}. Load: {summary}. The api logged {sum(counts.values())} "
        "requests."
    )
    assert len(workers_after - workers_before) == 1
    assert container_after.started_at == container_before.started_at
    assert container_after.restart_count == container_before.restart_count
    assert failed_calls(load) == []
    assert unanswered_requests(load, counts) == []
    assert len(counts) >= MIN_LOGGED_SHARE * summary.calls
