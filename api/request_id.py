"""The request id: accepted from ``X-Request-ID`` when sane, otherwise generated.

The id of the request being served sits in a context variable, so log lines and problem bodies
can carry it without passing it around.
"""

from __future__ import annotations

import os
import re
from contextvars import ContextVar, Token

REQUEST_ID_HEADER = "X-Request-ID"
#: The same header as ASGI carries it: lower-case bytes.
REQUEST_ID_HEADER_RAW = REQUEST_ID_HEADER.lower().encode("latin-1")
MAX_REQUEST_ID_LENGTH = 128
#: A sane id: 1 to 128 characters, letters, digits and ``-._:``. Anything else (spaces, quotes,
#: control characters, non-ASCII) could break log lines or headers, so it is replaced.
_SANE_REQUEST_ID = re.compile(rb"[A-Za-z0-9\-._:]{1,%d}" % MAX_REQUEST_ID_LENGTH)

_current_request_id: ContextVar[str | None] = ContextVar("api_request_id", default=None)


def current_request_id() -> str | None:
    """Return the id of the request being served, or None outside a request."""
    return _current_request_id.get()


class _RandomIds:
    """Random version 4 UUIDs as 32 hex digits, like ``uuid.uuid4().hex``.

    The bytes come from ``os.urandom`` as in ``uuid4``, but for ``_IDS_PER_READ`` ids at a
    time, and the ids of a batch are formatted together. One read and one formatting per request
    were a visible share of the api's time per request. The batch is dropped in a forked child,
    so two processes never hand out the same ids.
    """

    def __init__(self) -> None:
        self._batch: list[str] = []
        os.register_at_fork(after_in_child=self._batch.clear)

    def _refill(self) -> None:
        raw = bytearray(os.urandom(_UUID_BYTES * _IDS_PER_READ))
        # The version (4) in byte 6 and the RFC 4122 variant in byte 8 of each id, as
        # uuid.UUID(version=4) sets them.
        raw[6::_UUID_BYTES] = bytes((byte & 0x0F) | 0x40 for byte in raw[6::_UUID_BYTES])
        raw[8::_UUID_BYTES] = bytes((byte & 0x3F) | 0x80 for byte in raw[8::_UUID_BYTES])
        digits = raw.hex()
        width = 2 * _UUID_BYTES
        self._batch.extend(digits[start : start + width] for start in range(0, len(digits), width))

    def next_hex(self) -> str:
        if not self._batch:
            self._refill()
        return self._batch.pop()


_UUID_BYTES = 16
_IDS_PER_READ = 256
_random_ids = _RandomIds()


def new_request_id() -> str:
    """Return a new random id: a version 4 UUID as 32 hex digits."""
    return _random_ids.next_hex()


def choose_request_id(header_value: bytes | None) -> str:
    """Return ``header_value`` when it is a sane id, otherwise a new random id (32 hex digits)."""
    if header_value is not None and _SANE_REQUEST_ID.fullmatch(header_value):
        return header_value.decode("ascii")
    return new_request_id()


def bind_request_id(request_id: str) -> Token[str | None]:
    """Make ``request_id`` the current id; pass the token to ``unbind_request_id`` afterwards."""
    return _current_request_id.set(request_id)


def unbind_request_id(token: Token[str | None]) -> None:
    """Restore the id that was current before ``bind_request_id`` returned ``token``."""
    _current_request_id.reset(token)
