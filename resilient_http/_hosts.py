"""Per-host state shared by every client of a process: retry budgets and circuit breakers."""

from __future__ import annotations

import threading

from ._breaker import CircuitBreaker
from ._budget import RetryBudget
from ._policy import RetryPolicy


class HostRegistry:
    """The retry budget and circuit breaker of each upstream host, created on first use.

    Clients use ``DEFAULT_HOSTS`` unless given another registry, so all clients of a process share
    one budget and one breaker per host. Tests pass a fresh registry to start from a clean state.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._budgets: dict[str, RetryBudget] = {}
        self._breakers: dict[str, CircuitBreaker] = {}

    def budget(self, host: str, policy: RetryPolicy) -> RetryBudget | None:
        """Return the host's budget, or None when ``policy`` disables budgets."""
        if not policy.budget_enabled:
            return None
        budget = self._budgets.get(host)
        if budget is not None:
            # Entries are never replaced or removed, so a read without the lock is safe.
            return budget
        with self._lock:
            return self._budgets.setdefault(
                host, RetryBudget(policy.budget_ratio, policy.budget_reserve)
            )

    def breaker(self, host: str, policy: RetryPolicy) -> CircuitBreaker | None:
        """Return the host's breaker, or None when ``policy`` does not enable one."""
        if policy.breaker_threshold is None:
            return None
        breaker = self._breakers.get(host)
        if breaker is not None:
            return breaker
        with self._lock:
            breaker = self._breakers.get(host)
            if breaker is None:
                breaker = CircuitBreaker(host, policy.breaker_threshold, policy.breaker_open_s)
                self._breakers[host] = breaker
            return breaker


DEFAULT_HOSTS = HostRegistry()
