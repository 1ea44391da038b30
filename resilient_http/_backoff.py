"""Full-jitter exponential backoff."""

from __future__ import annotations

import random
from collections.abc import Callable

from ._policy import RetryPolicy


def full_jitter_delay(
    policy: RetryPolicy, retry_number: int, uniform: Callable[[], float] = random.random
) -> float:
    """Return the sleep before retry ``retry_number`` (1 for the first retry).

    The delay is uniform in ``[0, min(cap, base * 2 ** (retry_number - 1))]``, so concurrent
    callers that failed together spread their retries out instead of arriving in waves.
    """
    ceiling: float = min(policy.backoff_cap_s, policy.backoff_base_s * 2.0 ** (retry_number - 1))
    return ceiling * uniform()
