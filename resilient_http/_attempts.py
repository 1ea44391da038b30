"""Records of what happened on each attempt of a logical call."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class FailureKind(enum.StrEnum):
    """Transport-level ways an attempt can fail, named after what went wrong."""

    CONNECT_ERROR = "connect_error"
    CONNECT_TIMEOUT = "connect_timeout"
    POOL_TIMEOUT = "pool_timeout"
    WRITE_TIMEOUT = "write_timeout"
    WRITE_ERROR = "write_error"
    READ_TIMEOUT = "read_timeout"
    READ_ERROR = "read_error"
    DISCONNECTED = "disconnected"
    PROTOCOL_ERROR = "protocol_error"
    DECODING_ERROR = "decoding_error"
    DEADLINE = "deadline"


#: Failures that happen before any byte of the request can have reached the server, so retrying
#: them is safe for every method.
FAILURES_BEFORE_SEND = frozenset(
    {FailureKind.CONNECT_ERROR, FailureKind.CONNECT_TIMEOUT, FailureKind.POOL_TIMEOUT}
)

#: Timeouts of a single operation, which the sync transport clamps to the call's deadline.
TIMEOUT_KINDS = frozenset(
    {
        FailureKind.CONNECT_TIMEOUT,
        FailureKind.POOL_TIMEOUT,
        FailureKind.WRITE_TIMEOUT,
        FailureKind.READ_TIMEOUT,
    }
)


@dataclass(slots=True)
class Attempt:
    """One attempt of a logical call.

    ``outcome`` is the HTTP status as a string (``"503"``) or a ``FailureKind`` value.
    ``wait_s`` is the backoff slept before this attempt; ``elapsed_s`` is the time from the start
    of the logical call to the end of this attempt.
    """

    number: int
    outcome: str
    wait_s: float
    elapsed_s: float
    status: int | None = None

    def as_dict(self) -> dict[str, object]:
        """Return the record as JSON-ready data."""
        return {
            "attempt": self.number,
            "outcome": self.outcome,
            "status": self.status,
            "wait_s": round(self.wait_s, 4),
            "elapsed_s": round(self.elapsed_s, 4),
        }
