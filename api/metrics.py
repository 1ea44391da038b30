"""Prometheus metrics of the api's HTTP requests, and their exposition.

Under gunicorn every worker writes its metrics to files in PROMETHEUS_MULTIPROC_DIR, and
``/metrics`` adds the files of all workers up, so any worker returns the totals of the server.
"""

from __future__ import annotations

import os

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

from startup.loop_calls import IterationEndCall

#: Route label of a request that matched no route, so unknown paths cannot add label values.
UNMATCHED_ROUTE = "unmatched"
#: Method label of a method outside ``KNOWN_METHODS``.
OTHER_METHOD = "other"
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUESTS = Counter(
    "http_requests",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
)
REQUEST_DURATION = Histogram(
    "http_request_duration_seconds",
    "Time from receiving a request to sending the end of its response, in seconds.",
    ["method", "route", "status"],
)
REQUESTS_IN_PROGRESS = Gauge(
    "http_requests_in_progress",
    "HTTP requests being served; summed over the live workers.",
    multiprocess_mode="livesum",
)


class InFlightRequests:
    """The number of requests this process is serving, published to a gauge.

    ``Gauge.inc`` and ``Gauge.dec`` write the process's metrics file on every call, each with a
    lock and a getpid system call, so a request made two such writes. This counts in memory
    and sets the gauge once per event-loop iteration in which the count changed, so under load
    one write covers every request of the iteration. The published value is at most one
    iteration old, and ``publish`` sets it at once, as ``/metrics`` does before it reads.
    """

    def __init__(self, gauge: Gauge) -> None:
        self.gauge = gauge
        self.count = 0
        self._publish_later = IterationEndCall(self.publish)

    def started(self) -> None:
        self.count += 1
        self._publish_later.schedule()

    def finished(self) -> None:
        self.count -= 1
        self._publish_later.schedule()

    def publish(self) -> None:
        self.gauge.set(self.count)


#: The requests in flight in this process, shared by every app it serves.
IN_FLIGHT = InFlightRequests(REQUESTS_IN_PROGRESS)


class RequestMetrics:
    """Records one request in the counter and the histogram.

    The labelled children are cached, because ``labels`` takes a lock and builds a tuple on
    every call. The cache is bounded by the route templates, the known methods and the statuses.
    """

    def __init__(self) -> None:
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def record(self, method: str, route: str, status: int, duration_s: float) -> None:
        if method not in KNOWN_METHODS:
            method = OTHER_METHOD
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            labels = {"method": method, "route": route, "status": str(status)}
            children = (REQUESTS.labels(**labels), REQUEST_DURATION.labels(**labels))
            self._children[key] = children
        counter, histogram = children
        counter.inc()
        histogram.observe(duration_s)


def exposition_registry() -> CollectorRegistry:
    """Return the registry ``/metrics`` serves.

    With PROMETHEUS_MULTIPROC_DIR set (under gunicorn), it is a registry that reads every
    worker's files. Otherwise it is the default registry of this process.
    """
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


def render_metrics(registry: CollectorRegistry) -> bytes:
    """Return the registry's metrics in the Prometheus text format."""
    return generate_latest(registry)
