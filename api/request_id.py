"""The request id: accepted from ``X-Request-ID`` when sane, otherwise generated.

The id of the request being served sits in a context variable, so log lines and problem bodies
can carry it without passing it around.
"""

from __future__ import annotations

import re
import uuid
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


def choose_request_id(header_value: bytes | None) -> str:
    """Return ``header_value`` when it is a sane id, otherwise a new random id (32 hex digits)."""
    if header_value is not None and _SANE_REQUEST_ID.fullmatch(header_value):
        return header_value.decode("ascii")
    return uuid.uuid4().hex


def bind_request_id(request_id: str) -> Token[str | None]:
    """Make ``request_id`` the current id; pass the token to ``unbind_request_id`` afterwards."""
    return _current_request_id.set(request_id)


def unbind_request_id(token: Token[str | None]) -> None:
    """Restore the id that was current before ``bind_request_id`` returned ``token``."""
    _current_request_id.reset(token)
