"""Server hints about retrying: ``retry-after-ms``, ``Retry-After`` and ``x-should-retry``.

Hints that cannot be parsed are ignored, so the client falls back to its own backoff. Parsing never
raises.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def _parse_seconds(value: str) -> float | None:
    try:
        seconds = float(value)
    except ValueError:
        return None
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


def _parse_http_date(value: str, now: datetime) -> float | None:
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        # RFC 9110 dates are always GMT; email.utils returns naive for "-0000".
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - now).total_seconds())


def parse_retry_hint(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """Return the wait in seconds that the server asks for, or None when it asks for none.

    ``retry-after-ms`` (a number of milliseconds) wins over ``Retry-After``, which may be a number
    of seconds, integer or decimal, or an HTTP-date. A date in the past means no wait (0.0). Empty,
    garbage, negative and non-finite values return None.
    """
    milliseconds = headers.get("retry-after-ms", "").strip()
    if milliseconds:
        parsed = _parse_seconds(milliseconds)
        if parsed is not None:
            return parsed / 1000.0

    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    seconds = _parse_seconds(value)
    if seconds is not None:
        return seconds
    if value[0].isdigit() or value[0] in "+-.":
        # A malformed number such as "-5" or "1e" is not a date either.
        return None
    return _parse_http_date(value, now or datetime.now(UTC))


def parse_should_retry(headers: Mapping[str, str]) -> bool | None:
    """Return the server's ``x-should-retry`` verdict, or None when absent or not true/false."""
    value = headers.get("x-should-retry", "").strip().lower()
    if value == "true":
        return True
    if value == "false":
        return False
    return None
