"""The one boundary from httpx2 exceptions to failure kinds."""

from __future__ import annotations

import httpx2
import pytest

from resilient_http import FailureKind
from resilient_http._classify import NOT_RETRYABLE_ERRORS, classify_exception


def _subclasses(base: type[Exception]) -> list[type[Exception]]:
    found: list[type[Exception]] = []
    for subclass in base.__subclasses__():
        found.append(subclass)
        found.extend(_subclasses(subclass))
    return found


TRANSPORT_ERRORS = _subclasses(httpx2.TransportError)


@pytest.mark.parametrize("error_type", TRANSPORT_ERRORS, ids=lambda cls: cls.__name__)
def test_every_transport_error_mapped(error_type: type[httpx2.TransportError]) -> None:
    """Every httpx2 TransportError subclass maps to a kind or is listed as not retryable."""
    kind = classify_exception(error_type("boom"))

    if issubclass(error_type, NOT_RETRYABLE_ERRORS):
        assert kind is None
    else:
        assert isinstance(kind, FailureKind)


def test_subclass_walk_finds_known_errors() -> None:
    """The walk reaches nested subclasses, so the mapping test covers them."""
    assert httpx2.ConnectTimeout in TRANSPORT_ERRORS
    assert httpx2.RemoteProtocolError in TRANSPORT_ERRORS


@pytest.mark.parametrize(
    ("error_type", "kind"),
    [
        (httpx2.ConnectError, FailureKind.CONNECT_ERROR),
        (httpx2.ConnectTimeout, FailureKind.CONNECT_TIMEOUT),
        (httpx2.PoolTimeout, FailureKind.POOL_TIMEOUT),
        (httpx2.ReadTimeout, FailureKind.READ_TIMEOUT),
        (httpx2.WriteTimeout, FailureKind.WRITE_TIMEOUT),
        (httpx2.ReadError, FailureKind.READ_ERROR),
        (httpx2.RemoteProtocolError, FailureKind.DISCONNECTED),
        (httpx2.DecodingError, FailureKind.DECODING_ERROR),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_specific_kinds(error_type: type[httpx2.RequestError], kind: FailureKind) -> None:
    """Subclasses get their own kind, not their base class's."""
    assert classify_exception(error_type("boom")) is kind


def test_redirect_loop_not_retryable() -> None:
    """TooManyRedirects is a request error no retry can fix."""
    assert classify_exception(httpx2.TooManyRedirects("loop")) is None
