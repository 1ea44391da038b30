"""Prometheus metrics of ``caller watch``: the outcome of every check and round.

They sit on the default registry with the resilient client's retry, budget and breaker
metrics, so one ``/metrics`` serves both.
"""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client import Counter, Gauge

from caller.checks import CheckResult

CHECK_UP = Gauge(
    "caller_check_passed",
    "Outcome of the last run of each check: 1 passed, 0 failed.",
    ["check"],
)
CHECK_DURATION = Gauge(
    "caller_check_duration_seconds",
    "Duration of the last run of each check, in seconds.",
    ["check"],
)
CHECK_RUNS = Counter(
    "caller_check_runs",
    "Runs of each check, by outcome (pass or fail).",
    ["check", "outcome"],
)
ROUNDS = Counter(
    "caller_rounds",
    "Rounds of checks, by outcome: pass when every check passed, otherwise fail.",
    ["outcome"],
)
ROUND_DURATION = Gauge(
    "caller_round_duration_seconds",
    "Duration of the last round of checks, in seconds.",
)


def outcome_of(passed: bool) -> str:
    return "pass" if passed else "fail"


def record_round(results: Sequence[CheckResult], duration_s: float) -> None:
    """Update every metric with one round's results."""
    for result in results:
        CHECK_UP.labels(check=result.name).set(1 if result.passed else 0)
        CHECK_DURATION.labels(check=result.name).set(result.elapsed_ms / 1000)
        CHECK_RUNS.labels(check=result.name, outcome=outcome_of(result.passed)).inc()
    ROUNDS.labels(outcome=outcome_of(all(result.passed for result in results))).inc()
    ROUND_DURATION.set(duration_s)
