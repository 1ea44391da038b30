"""Prometheus metrics of the client, registered once per process on the default registry.

Labels stay low in cardinality: ``host`` is scheme, host and port, never a path or query.
"""

from __future__ import annotations

import functools

from prometheus_client import Counter, Gauge

ATTEMPTS = Counter(
    "resilient_http_attempts",
    "Attempts sent to an upstream, by outcome (an HTTP status or a failure kind).",
    ["host", "outcome"],
)
RETRIES = Counter(
    "resilient_http_retries",
    "Retries scheduled, by the reason the previous attempt failed.",
    ["host", "reason"],
)
BUDGET_REFUSALS = Counter(
    "resilient_http_budget_refusals",
    "Retries the host's retry budget rejected.",
    ["host"],
)
BREAKER_STATE = Gauge(
    "resilient_http_breaker_state",
    "Circuit breaker state per host: 0 closed, 1 open, 2 half-open.",
    ["host"],
)


@functools.lru_cache(maxsize=1024)
def attempts_counter(host: str, outcome: str) -> Counter:
    """Return the labelled attempts counter, cached because ``labels`` costs a few microseconds
    per call on the success path."""
    return ATTEMPTS.labels(host=host, outcome=outcome)
