"""InFlightRequests: the in-flight count, published to its gauge once per loop iteration."""

from __future__ import annotations

import asyncio

from prometheus_client import CollectorRegistry, Gauge

from api.metrics import InFlightRequests


def in_flight() -> tuple[InFlightRequests, CollectorRegistry]:
    registry = CollectorRegistry()
    gauge = Gauge("test_in_flight", "Requests in flight.", registry=registry)
    return InFlightRequests(gauge), registry


def published(registry: CollectorRegistry) -> float | None:
    return registry.get_sample_value("test_in_flight")


def test_count_is_published_after_the_iteration() -> None:
    """Changes within one iteration reach the gauge together, once it ends."""
    requests, registry = in_flight()

    async def serve() -> list[float | None]:
        seen = []
        requests.started()
        requests.started()
        seen.append(published(registry))
        await asyncio.sleep(0)
        seen.append(published(registry))
        requests.finished()
        await asyncio.sleep(0)
        seen.append(published(registry))
        return seen

    assert asyncio.run(serve()) == [0.0, 2.0, 1.0]


def test_publish_sets_the_gauge_at_once() -> None:
    """``publish``, as /metrics calls it, does not wait for the iteration to end."""
    requests, registry = in_flight()

    async def serve() -> float | None:
        requests.started()
        requests.publish()
        return published(registry)

    assert asyncio.run(serve()) == 1.0


def test_count_outside_loop_published_now() -> None:
    requests, registry = in_flight()
    requests.started()
    assert published(registry) == 1.0
