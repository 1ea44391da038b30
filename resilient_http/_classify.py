"""The one boundary where httpx2 exceptions become this package's failure kinds."""

from __future__ import annotations

import httpx2

from ._attempts import FailureKind

# Order matters: subclasses come before their bases, because the first match wins.
_EXCEPTION_KINDS: tuple[tuple[type[httpx2.RequestError], FailureKind], ...] = (
    (httpx2.ConnectTimeout, FailureKind.CONNECT_TIMEOUT),
    (httpx2.PoolTimeout, FailureKind.POOL_TIMEOUT),
    (httpx2.WriteTimeout, FailureKind.WRITE_TIMEOUT),
    (httpx2.ReadTimeout, FailureKind.READ_TIMEOUT),
    (httpx2.ConnectError, FailureKind.CONNECT_ERROR),
    (httpx2.WriteError, FailureKind.WRITE_ERROR),
    (httpx2.ReadError, FailureKind.READ_ERROR),
    (httpx2.RemoteProtocolError, FailureKind.DISCONNECTED),
    (httpx2.LocalProtocolError, FailureKind.PROTOCOL_ERROR),
    (httpx2.ProtocolError, FailureKind.PROTOCOL_ERROR),
    (httpx2.CloseError, FailureKind.READ_ERROR),
    (httpx2.NetworkError, FailureKind.READ_ERROR),
    (httpx2.TimeoutException, FailureKind.READ_TIMEOUT),
    (httpx2.DecodingError, FailureKind.DECODING_ERROR),
)

#: Errors no retry can fix: a URL scheme httpx2 does not support, a proxy that rejects the
#: request, a redirect loop, a server-sent events endpoint that responds with another content type.
NOT_RETRYABLE_ERRORS: tuple[type[httpx2.RequestError], ...] = (
    httpx2.UnsupportedProtocol,
    httpx2.ProxyError,
    httpx2.TooManyRedirects,
    httpx2.SSEError,
)


def classify_exception(exc: httpx2.RequestError) -> FailureKind | None:
    """Map a request exception to a failure kind, or None for one of ``NOT_RETRYABLE_ERRORS``."""
    if isinstance(exc, NOT_RETRYABLE_ERRORS):
        return None
    for exc_type, kind in _EXCEPTION_KINDS:
        if isinstance(exc, exc_type):
            return kind
    return None
