"""Testing mode: the clients skip their backoff sleeps so users' test suites run fast."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_sleeps_disabled = False


def set_testing(enabled: bool) -> None:
    """Turn testing mode on or off for the whole process.

    In testing mode every retry waits zero seconds (the attempt records show ``wait_s`` 0). The
    rest is unchanged: attempts, deadlines, hints longer than allowed, the budget and the breaker.
    """
    global _sleeps_disabled
    with _lock:
        _sleeps_disabled = enabled


def is_testing() -> bool:
    """Return whether testing mode is on."""
    return _sleeps_disabled


@contextmanager
def no_retry_waits() -> Iterator[None]:
    """Turn testing mode on inside the ``with`` block and restore the previous mode after it.

    The name avoids a ``test`` prefix so that pytest does not collect it when imported into a
    test module.
    """
    previous = is_testing()
    set_testing(True)
    try:
        yield
    finally:
        set_testing(previous)
