"""A tiny upstream for tests and benchmarks: it answers what it received.

``GET /…/stall`` never answers (to test deadlines); ``/…/stream?size=N`` streams N bytes back;
``POST`` echoes the body's length and SHA-256; anything else returns the request as JSON.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.types import Receive, Scope, Send

from shared.testing.servers import serve


async def echo_app(scope: Scope, receive: Receive, send: Send) -> None:
    path: str = scope["path"]
    if path.endswith("/stall"):
        await asyncio.sleep(3600)
    digest = hashlib.sha256()
    size = 0
    while True:
        message = await receive()
        body = message.get("body", b"")
        digest.update(body)
        size += len(body)
        if not message.get("more_body", False):
            break
    if path.endswith("/stream"):
        query = dict(
            part.split("=", 1) for part in scope["query_string"].decode().split("&") if "=" in part
        )
        total = int(query.get("size", "0"))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        chunk = b"x" * 65536
        sent = 0
        while sent < total:
            piece = chunk[: min(len(chunk), total - sent)]
            await send({"type": "http.response.body", "body": piece, "more_body": True})
            sent += len(piece)
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        return
    payload = {
        "method": scope["method"],
        "path": path,
        "query": scope["query_string"].decode(),
        "headers": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in scope["headers"]],
        "body_size": size,
        "body_sha256": digest.hexdigest(),
    }
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"keep-alive, x-secret-hop"),
                (b"x-secret-hop", b"must not reach the client"),
                (b"keep-alive", b"timeout=5"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


@asynccontextmanager
async def serve_echo() -> AsyncIterator[str]:
    """Run the echo upstream on a loopback port for the time of the block; its base URL."""
    async with serve(echo_app, lifespan="off") as url:
        yield url
