"""A raw ASGI app with the api's two JSON routes: the ceiling for a Python app on this server.

It reads the body, decodes it with ``json``, and responds to a valid request with the same bytes as
the api. It checks nothing else, so it is not a model for a real service: a malformed body ends in
an exception and a 500 from the server.
"""

from __future__ import annotations

import json
from typing import Any

SUMMARY_FIELDS = ["title", "body", "priority"]
JSON_HEADERS = [(b"content-type", b"application/json")]
NOT_FOUND = b'{"detail":"Not Found"}'

Scope = dict[str, Any]


async def read_body(receive: Any) -> bytes:
    chunks = []
    more_body = True
    while more_body:
        message = await receive()
        chunks.append(message.get("body", b""))
        more_body = message.get("more_body", False)
    return b"".join(chunks)


def answer(path: str, data: Any) -> tuple[int, bytes]:
    if path == "/echo":
        result: dict[str, Any] = {"message": data["message"]}
    elif path == "/summarize-request":
        result = {
            "field_count": len(SUMMARY_FIELDS),
            "fields": SUMMARY_FIELDS,
            "title_length": len(data["title"]),
        }
    else:
        return 404, NOT_FOUND
    return 200, json.dumps(result, ensure_ascii=False, separators=(",", ":")).encode()


async def lifespan(receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def app(scope: Scope, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        await lifespan(receive, send)
        return

    body = await read_body(receive)
    status, content = answer(scope["path"], json.loads(body))
    headers = [*JSON_HEADERS, (b"content-length", str(len(content)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content})
