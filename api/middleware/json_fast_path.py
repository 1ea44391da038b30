"""Serve valid JSON requests to simple body routes without FastAPI's routing and request handler.

For ``POST /echo`` most of the api's time went to Starlette's exception middleware and router,
FastAPI's per-request exit stacks, dependency solving, a content-type parse with
``email.message`` and a second validation of the response model. This middleware sits inside the
api's own middleware, so request ids, access logs, metrics, body limits and the 500 handler still
apply. It responds to a valid request itself. It reads the body, decodes it strictly, validates it
with the route's own body field, awaits the endpoint and serializes the result with the route's
own response field.

It never produces an error response itself. When the content type is not a plain
``application/json``, the body cannot be read, or decoding or validation fails, it passes the
request on to FastAPI with the body messages replayed, so every error comes from the same code as
without this middleware.
"""

from __future__ import annotations

import inspect
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from fastapi.datastructures import DefaultPlaceholder
from fastapi.routing import APIRoute, serialize_response
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import ProblemError

#: Decodes a request body or raises a ``ProblemError`` (``api.strict_json.decode_json_body``).
BodyDecoder = Callable[[bytes], Any]
ExceptionHandler = Callable[[Request, Exception], Any]

#: Content-Type values the fast path takes. ``require_json_content_type`` accepts each of them
#: and FastAPI parses each as JSON, so both paths agree on them. Any other value takes the full
#: path.
FAST_CONTENT_TYPES = frozenset(
    {
        b"application/json",
        b"application/json; charset=utf-8",
        b"application/json;charset=utf-8",
        b"application/json; charset=UTF-8",
        b"application/json;charset=UTF-8",
    }
)
JSON_CONTENT_TYPE = (b"content-type", b"application/json")


class RecordingReceive:
    """An ASGI ``receive`` that keeps every message it returns, so they can be replayed."""

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self.messages: list[Message] = []

    async def __call__(self) -> Message:
        message = await self._receive()
        self.messages.append(message)
        return message

    def replay(self, error: Exception | None = None) -> Receive:
        """Return a ``receive`` that returns the recorded messages, then raises ``error`` once
        if it is given, then reads on from the original ``receive``."""
        pending = deque(self.messages)
        original = self._receive

        async def replaying_receive() -> Message:
            nonlocal error
            if pending:
                return pending.popleft()
            if error is not None:
                raised, error = error, None
                raise raised
            return await original()

        return replaying_receive


async def read_body(receive: Receive) -> bytes | None:
    """Read the whole request body, or return None when the client disconnected first."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def content_type(scope: Scope) -> bytes | None:
    """Return the first Content-Type header, as ``Request.headers.get`` would pick it."""
    for name, value in scope["headers"]:
        if name == b"content-type":
            return bytes(value)
    return None


def takes_fast_path(route: APIRoute) -> bool:
    """Return True when ``route`` is an ``async def`` endpoint whose only parameter is one JSON
    body model and whose response is the default JSON rendering of its response model."""
    dependant = route.dependant
    other_parameters = (
        dependant.path_params,
        dependant.query_params,
        dependant.header_params,
        dependant.cookie_params,
        dependant.dependencies,
    )
    special_parameters = (
        dependant.request_param_name,
        dependant.websocket_param_name,
        dependant.http_connection_param_name,
        dependant.response_param_name,
        dependant.background_tasks_param_name,
        dependant.security_scopes_param_name,
    )
    body_type = route.body_field.field_info.annotation if route.body_field else None
    return (
        len(dependant.body_params) == 1
        # FastAPI uses a lone body parameter's field as the route's body field unless the body
        # is embedded under the parameter's name.
        and route.body_field is dependant.body_params[0]
        and isinstance(body_type, type)
        and issubclass(body_type, BaseModel)
        and not any(other_parameters)
        and all(name is None for name in special_parameters)
        and inspect.iscoroutinefunction(dependant.call)
        and isinstance(route.response_class, DefaultPlaceholder)
        and route.response_field is not None
        and route.status_code in (None, 200)
        and route.response_model_include is None
        and route.response_model_exclude is None
        and route.response_model_by_alias
        and not route.response_model_exclude_unset
        and not route.response_model_exclude_defaults
        and not route.response_model_exclude_none
        and not route.is_json_stream
        and not route.is_sse_stream
    )


class FastRoute:
    """The parts of one route that the fast path uses, looked up once at start-up."""

    def __init__(self, route: APIRoute) -> None:
        assert route.body_field is not None
        assert route.response_field is not None
        assert route.dependant.call is not None
        self.route = route
        self.body_field = route.body_field
        self.response_field = route.response_field
        self.endpoint = route.dependant.call
        self.parameter = route.dependant.body_params[0].name
        response_type = self.response_field.field_info.annotation
        # Validating an instance of the exact response model returns it unchanged unless the
        # model sets revalidate_instances, so such instances skip that step.
        revalidates = (
            not isinstance(response_type, type)
            or not issubclass(response_type, BaseModel)
            or response_type.model_config.get("revalidate_instances", "never") != "never"
        )
        self.unchecked_type = None if revalidates else response_type

    def validate(self, value: Any) -> tuple[bool, Any]:
        """Validate a decoded body as FastAPI does and return whether it is valid, and the model."""
        if type(value) is not dict:
            return False, None
        validated, errors = self.body_field.validate(value, {}, loc=("body",))
        return not errors, validated

    async def render(self, result: Any) -> bytes:
        """Serialize the endpoint's result as FastAPI does for a response model."""
        if type(result) is self.unchecked_type:
            return self.response_field.serialize_json(result)
        content: bytes = await serialize_response(
            field=self.response_field, response_content=result, dump_json=True
        )
        return content


class JSONFastPathMiddleware:
    """Respond to valid requests to ``routes`` directly, and pass everything else to the app.

    ``routes`` must be reachable at their own ``path`` (included without a prefix) and have no
    dependencies from ``include_router``. ``exception_handlers`` is the app's mapping, so an
    exception from an endpoint is rendered by the same handler as on the full path.
    """

    def __init__(
        self,
        app: ASGIApp,
        routes: Iterable[BaseRoute],
        decode: BodyDecoder,
        exception_handlers: Mapping[Any, ExceptionHandler],
    ) -> None:
        self.app = app
        self.decode = decode
        self.exception_handlers = exception_handlers
        self.routes = {
            (method, route.path): FastRoute(route)
            for route in routes
            if isinstance(route, APIRoute) and takes_fast_path(route)
            for method in route.methods or ()
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        fast = None
        if scope["type"] == "http" and not scope.get("root_path"):
            fast = self.routes.get((scope["method"], scope["path"]))
        if fast is None or content_type(scope) not in FAST_CONTENT_TYPES:
            await self.app(scope, receive, send)
            return

        recording = RecordingReceive(receive)
        try:
            body = await read_body(recording)
        except Exception as exc:
            await self.app(scope, recording.replay(exc), send)
            return

        valid, model = False, None
        if body:
            try:
                valid, model = fast.validate(self.decode(body))
            except ProblemError:
                valid = False
        if not valid:
            await self.app(scope, recording.replay(), send)
            return

        # The keys the router sets on a match. The access log reads the route's path template.
        scope["route"] = fast.route
        scope["endpoint"] = fast.route.endpoint
        scope["path_params"] = {}
        try:
            content = await fast.render(await fast.endpoint(**{fast.parameter: model}))
        except Exception as exc:
            await self._handle_exception(exc, scope, recording.replay(), send)
            return

        length = (b"content-length", str(len(content)).encode("latin-1"))
        start = {
            "type": "http.response.start",
            "status": 200,
            "headers": [length, JSON_CONTENT_TYPE],
        }
        await send(start)
        await send({"type": "http.response.body", "body": content})

    async def _handle_exception(
        self, exc: Exception, scope: Scope, receive: Receive, send: Send
    ) -> None:
        """Render ``exc`` with the app's handler for it, as Starlette's exception middleware
        does, or re-raise it when there is none."""
        handler = None
        # Starlette gives handlers of 500 and Exception to its outermost middleware, not to the
        # exception middleware, so they are skipped here too.
        if isinstance(exc, HTTPException) and exc.status_code != 500:
            handler = self.exception_handlers.get(exc.status_code)
        if handler is None:
            for cls in type(exc).__mro__:
                if cls is Exception:
                    break
                handler = self.exception_handlers.get(cls)
                if handler is not None:
                    break
        if handler is None:
            raise exc

        response = handler(Request(scope, receive, send), exc)
        if inspect.isawaitable(response):
            response = await response
        if response is not None:
            await response(scope, receive, send)
