"""Parsing of server hints: retry-after-ms, Retry-After and x-should-retry."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx2
import pytest

from resilient_http import parse_retry_hint, parse_should_retry

NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)

RETRY_HINT_CASES = [
    # id, headers, expected wait in seconds (None: no hint, use the backoff)
    ("seconds", {"Retry-After": "3"}, 3.0),
    ("zero", {"Retry-After": "0"}, 0.0),
    ("decimal", {"Retry-After": "1.5"}, 1.5),
    ("padded", {"Retry-After": "  2  "}, 2.0),
    ("huge", {"Retry-After": "86400"}, 86400.0),
    ("date-future", {"Retry-After": "Thu, 01 Jan 2026 12:00:30 GMT"}, 30.0),
    ("date-past", {"Retry-After": "Wed, 31 Dec 2025 12:00:00 GMT"}, 0.0),
    ("date-now", {"Retry-After": "Thu, 01 Jan 2026 12:00:00 GMT"}, 0.0),
    ("date-far-future", {"Retry-After": "Fri, 01 Jan 2027 12:00:00 GMT"}, 365 * 86400.0),
    ("empty", {"Retry-After": ""}, None),
    ("blank", {"Retry-After": "   "}, None),
    ("garbage", {"Retry-After": "soon"}, None),
    ("negative", {"Retry-After": "-5"}, None),
    ("negative-decimal", {"Retry-After": "-0.5"}, None),
    ("nan", {"Retry-After": "nan"}, None),
    ("infinite", {"Retry-After": "inf"}, None),
    ("overflow", {"Retry-After": "1e400"}, None),
    ("bad-date", {"Retry-After": "Thu, 99 Jan 2026 12:00:00 GMT"}, None),
    ("milliseconds", {"retry-after-ms": "250"}, 0.25),
    ("milliseconds-decimal", {"retry-after-ms": "12.5"}, 0.0125),
    ("milliseconds-win", {"retry-after-ms": "100", "Retry-After": "9"}, 0.1),
    ("milliseconds-garbage", {"retry-after-ms": "x", "Retry-After": "2"}, 2.0),
    ("milliseconds-negative", {"retry-after-ms": "-1"}, None),
    ("absent", {}, None),
]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [case[1:] for case in RETRY_HINT_CASES],
    ids=[case[0] for case in RETRY_HINT_CASES],
)
def test_parse_retry_hint(headers: dict[str, str], expected: float | None) -> None:
    """Each header value maps to its wait in seconds, or to None, and never raises."""
    assert parse_retry_hint(httpx2.Headers(headers), now=NOW) == (
        expected if expected is None else pytest.approx(expected)
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", True),
        ("false", False),
        ("TRUE", True),
        (" false ", False),
        ("yes", None),
        ("", None),
    ],
    ids=["true", "false", "upper", "padded", "other", "empty"],
)
def test_parse_should_retry(value: str, expected: bool | None) -> None:
    """Only true and false, in any case, are verdicts; anything else is no verdict."""
    assert parse_should_retry(httpx2.Headers({"x-should-retry": value})) is expected


def test_should_retry_absent() -> None:
    """Without the header there is no verdict."""
    assert parse_should_retry(httpx2.Headers()) is None
