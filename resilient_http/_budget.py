"""A retry budget per upstream host, shared by every thread and task of the process."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

#: Earned tokens are capped at what this many first attempts deposit, so the budget reflects recent
#: traffic, not a long quiet history of successes.
RECENT_FIRST_ATTEMPTS = 100
#: The reserve refills completely in this many seconds of quiet.
RESERVE_REFILL_S = 10.0
#: Slack for float sums: ten deposits of 0.1 add up to 0.9999999999999999, which is one token.
_EPSILON = 1e-9


class RetryBudget:
    """A token bucket: each first attempt deposits ``ratio`` tokens and each retry spends one.

    The bucket starts full at ``reserve`` tokens and refills up to the reserve over
    ``RESERVE_REFILL_S`` seconds, so a fresh process or a quiet caller can still retry an isolated
    failing call. Under a long outage retries settle near ``ratio`` of first attempts. All methods
    hold a lock for a few arithmetic steps and never block on I/O, so async code may call them.
    """

    def __init__(
        self, ratio: float, reserve: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ratio = ratio
        self.reserve = reserve
        self.capacity = reserve + ratio * RECENT_FIRST_ATTEMPTS
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens = reserve
        self._refilled_at = clock()

    def _refill(self) -> None:
        now = self._clock()
        if self._tokens < self.reserve:
            earned = (now - self._refilled_at) * self.reserve / RESERVE_REFILL_S
            self._tokens = min(self.reserve, self._tokens + earned)
        self._refilled_at = now

    def record_first_attempt(self) -> None:
        """Deposit the share of one first attempt."""
        with self._lock:
            # At or above the reserve there is nothing to refill, and ``try_spend`` refills (so
            # restarts the refill clock) before it takes the bucket below the reserve.
            if self._tokens < self.reserve:
                self._refill()
            self._tokens = min(self.capacity, self._tokens + self.ratio)

    def try_spend(self) -> bool:
        """Take one token for a retry; return False, taking nothing, when fewer than one is left."""
        with self._lock:
            self._refill()
            if self._tokens < 1.0 - _EPSILON:
                return False
            self._tokens = max(0.0, self._tokens - 1.0)
            return True

    @property
    def tokens(self) -> float:
        """Tokens available right now."""
        with self._lock:
            self._refill()
            return self._tokens
