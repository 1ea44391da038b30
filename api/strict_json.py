"""Strict JSON request bodies: the content-type check (415) and the decoder (400).

Python's ``json`` module accepts more than RFC 8259 allows. It returns ``NaN``, ``Infinity`` and
numbers such as ``1e400`` as non-finite floats, lone surrogate escapes as unencodable strings, and
duplicate keys with the last one winning. This decoder rejects all of them, and also integers and
nesting too large to handle safely, so a handler only gets values it can encode in a response.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from fastapi import Request
from fastapi.routing import APIRoute
from starlette.responses import Response

from api.errors import INVALID_JSON, MAX_EXCERPT_LENGTH, UNSUPPORTED_MEDIA_TYPE, ProblemError

#: Most digits an integer literal may have (2**64 has 20 digits).
MAX_INTEGER_DIGITS = 20
#: Deepest nesting of arrays and objects accepted; the api's bodies need 1.
MAX_NESTING_DEPTH = 32

_SURROGATE = re.compile("[\ud800-\udfff]")
_SEND_JSON = "Send the body as UTF-8 JSON with Content-Type: application/json."


class _NotStrictJSON(ValueError):
    """Raised by the decoder hooks; its message becomes the 400's detail."""


def _reject_constant(name: str) -> Any:
    raise _NotStrictJSON(f"{name} is not a JSON value. Send numbers as finite decimal literals.")


def _parse_finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise _NotStrictJSON(
            f"The number {literal[:MAX_EXCERPT_LENGTH]} is out of range for a 64-bit float."
        )
    return value


def _parse_bounded_int(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise _NotStrictJSON(
            f"An integer has more than {MAX_INTEGER_DIGITS} digits; send at most "
            f"{MAX_INTEGER_DIGITS}."
        )
    return int(literal)


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                name = json.dumps(key[:MAX_EXCERPT_LENGTH])
                raise _NotStrictJSON(f"The key {name} appears more than once in an object.")
            seen.add(key)
    return result


def _check_depth_and_strings(value: Any, check_strings: bool) -> None:
    """Raise ``_NotStrictJSON`` for nesting deeper than ``MAX_NESTING_DEPTH`` or, when
    ``check_strings`` is set, for a string or key that contains a lone surrogate."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children: list[Any] = list(item.values())
            if check_strings:
                children.extend(item.keys())
        elif isinstance(item, list):
            children = item
        else:
            if check_strings and isinstance(item, str) and _SURROGATE.search(item):
                raise _NotStrictJSON(
                    "A string contains a lone surrogate escape such as \\ud800, which is not "
                    "Unicode text. Escape characters outside the BMP as surrogate pairs."
                )
            continue

        if depth > MAX_NESTING_DEPTH:
            raise _NotStrictJSON(
                f"The body nests arrays or objects deeper than {MAX_NESTING_DEPTH}."
            )
        pending.extend((child, depth + 1) for child in children)


#: json.loads with hooks builds a new decoder per call, so one shared decoder saves that work.
_STRICT_DECODER = json.JSONDecoder(
    parse_constant=_reject_constant,
    parse_float=_parse_finite_float,
    parse_int=_parse_bounded_int,
    object_pairs_hook=_object_without_duplicates,
)


def decode_json_body(body: bytes) -> Any:
    """Decode ``body`` as strict JSON, or raise a 400 ``ProblemError`` naming the fault."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProblemError(
            INVALID_JSON, f"The body is not valid UTF-8 (invalid byte at offset {exc.start})."
        ) from exc

    try:
        if text.startswith("\ufeff"):
            # As json.loads does; the decoder's own methods skip this check.
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
        value = _STRICT_DECODER.decode(text)
        # A lone surrogate can only come from a \u escape: raw surrogates are invalid UTF-8.
        _check_depth_and_strings(value, check_strings="\\u" in text)
    except json.JSONDecodeError as exc:
        raise ProblemError(
            INVALID_JSON,
            f"The body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}.",
        ) from exc
    except _NotStrictJSON as exc:
        raise ProblemError(INVALID_JSON, str(exc)) from exc
    except RecursionError as exc:
        # json's C scanner gives up past the interpreter's recursion limit (1000 by default).
        raise ProblemError(
            INVALID_JSON, f"The body nests arrays or objects deeper than {MAX_NESTING_DEPTH}."
        ) from exc
    return value


def require_json_content_type(headers: Mapping[str, str]) -> None:
    """Raise a 415 ``ProblemError`` unless Content-Type is JSON (``application/json`` or
    ``application/*+json``) with no charset or a UTF-8 one."""
    content_type = headers.get("content-type")
    if content_type is None:
        raise ProblemError(UNSUPPORTED_MEDIA_TYPE, f"The request has no Content-Type. {_SEND_JSON}")

    media_type, _, parameters = content_type.partition(";")
    media_type = media_type.strip().lower()
    is_json = media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )
    if not is_json:
        shown = json.dumps(media_type[:MAX_EXCERPT_LENGTH])
        raise ProblemError(
            UNSUPPORTED_MEDIA_TYPE, f"Content-Type {shown} is not JSON. {_SEND_JSON}"
        )

    for parameter in parameters.split(";"):
        name, _, charset = parameter.partition("=")
        if name.strip().lower() == "charset" and charset.strip().strip('"').lower() not in (
            "utf-8",
            "utf8",
        ):
            shown = json.dumps(charset.strip()[:MAX_EXCERPT_LENGTH])
            raise ProblemError(
                UNSUPPORTED_MEDIA_TYPE, f"The charset {shown} is not UTF-8. {_SEND_JSON}"
            )


class StrictJSONRequest(Request):
    """A request whose ``json()`` uses the strict decoder."""

    async def json(self) -> Any:
        return decode_json_body(await self.body())


RouteHandler = Callable[[Request], Coroutine[Any, Any, Response]]


class StrictJSONRoute(APIRoute):
    """A route that takes a body only as strict JSON: 415 for any other content type and 400 for
    JSON that does not decode strictly. Routes without a body are unchanged."""

    def get_route_handler(self) -> RouteHandler:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler

        async def strict_json_handler(request: Request) -> Response:
            require_json_content_type(request.headers)
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict_json_handler
