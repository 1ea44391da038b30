"""The policy's checks, the backoff formula, Idempotency-Key minting and keep-alive pairing."""

from __future__ import annotations

import httpx2
import pytest

from api.settings import DEFAULT_KEEPALIVE_S
from resilient_http import DEFAULT_KEEPALIVE_EXPIRY_S, RetryPolicy
from resilient_http._backoff import full_jitter_delay
from resilient_http._engine import apply_idempotency_key


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_attempts", 0),
        ("deadline_s", 0.0),
        ("connect_timeout_s", -1.0),
        ("read_timeout_s", float("nan")),
        ("backoff_base_s", -0.1),
        ("max_retry_hint_s", -1.0),
        ("budget_ratio", -0.1),
        ("breaker_threshold", 0),
        ("breaker_open_s", 0.0),
    ],
)
def test_policy_rejects_invalid(field: str, value: float) -> None:
    """Each invalid field raises ValueError naming the field."""
    with pytest.raises(ValueError, match=field):
        RetryPolicy(**{field: value})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("retry_number", "uniform", "expected"),
    [(1, 1.0, 0.1), (2, 1.0, 0.2), (3, 0.5, 0.2), (10, 1.0, 2.0), (1, 0.0, 0.0)],
    ids=["first", "second", "third-half", "capped", "zero-draw"],
)
def test_full_jitter_ceiling(retry_number: int, uniform: float, expected: float) -> None:
    """The delay is the draw times min(cap, base * 2**(n-1))."""
    delay = full_jitter_delay(RetryPolicy(), retry_number, lambda: uniform)
    assert delay == pytest.approx(expected)


def test_default_backoff_not_zero() -> None:
    """The default backoff is non-zero, so retries spread out."""
    assert RetryPolicy().backoff_base_s > 0


def test_minted_key_kept_across_calls_to_apply() -> None:
    """Applying a key twice to the same request keeps the first one."""
    request = httpx2.Request("POST", "http://127.0.0.1/")
    apply_idempotency_key(request, "auto")
    first = request.headers["Idempotency-Key"]
    apply_idempotency_key(request, "auto")

    assert request.headers["Idempotency-Key"] == first
    assert len(first) == 32


def test_given_key_sent_as_is() -> None:
    """A key given as a string is sent unchanged."""
    request = httpx2.Request("POST", "http://127.0.0.1/")
    apply_idempotency_key(request, "order-42")

    assert request.headers["Idempotency-Key"] == "order-42"


def test_keepalive_expiry_below_server() -> None:
    """The client drops idle connections before the api's gunicorn keep-alive closes them."""
    assert DEFAULT_KEEPALIVE_EXPIRY_S < DEFAULT_KEEPALIVE_S
