"""A circuit breaker per upstream host: consecutive failures open it, one probe closes it."""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Callable

from ._metrics import BREAKER_STATE


class BreakerState(enum.IntEnum):
    """States of a circuit breaker, with the values the metrics gauge reports."""

    CLOSED = 0
    OPEN = 1
    HALF_OPEN = 2


class CircuitBreaker:
    """Opens after ``threshold`` consecutive failed attempts and rejects attempts for ``open_s``.

    After that interval one attempt goes through as a probe while the others are rejected: a
    success closes the breaker and a failure opens it again. A probe that never reports (its call
    was cancelled) stops blocking others after another ``open_s``. Thread-safe, non-blocking.
    """

    def __init__(
        self,
        host: str,
        threshold: int,
        open_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.host = host
        self.threshold = threshold
        self.open_s = open_s
        self._clock = clock
        self._lock = threading.Lock()
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._changed_at = clock()
        BREAKER_STATE.labels(host=host).set(BreakerState.CLOSED)

    @property
    def state(self) -> BreakerState:
        """The current state."""
        return self._state

    def seconds_until_probe(self) -> float:
        """Seconds until the next probe may start; 0.0 unless the breaker is open."""
        with self._lock:
            if self._state is BreakerState.CLOSED:
                return 0.0
            return max(0.0, self._changed_at + self.open_s - self._clock())

    def allow(self) -> bool:
        """Return whether an attempt may start now, turning it into the probe when one is due."""
        with self._lock:
            if self._state is BreakerState.CLOSED:
                return True
            if self._clock() < self._changed_at + self.open_s:
                return False
            self._set_state(BreakerState.HALF_OPEN)
            return True

    def record(self, failed: bool) -> None:
        """Record the outcome of an attempt that ``allow`` let through."""
        with self._lock:
            if not failed:
                self._failures = 0
                if self._state is not BreakerState.CLOSED:
                    self._set_state(BreakerState.CLOSED)
                return

            self._failures += 1
            reopen = self._state is BreakerState.HALF_OPEN
            if reopen or self._failures >= self.threshold:
                self._set_state(BreakerState.OPEN)

    def _set_state(self, state: BreakerState) -> None:
        self._state = state
        self._changed_at = self._clock()
        BREAKER_STATE.labels(host=self.host).set(state)
