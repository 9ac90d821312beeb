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

import uvicorn
from starlette.types import Receive, Scope, Send

from shared.testing import free_port


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
    """Run the echo upstream on a free loopback port for the time of the block."""
    port = free_port()
    config = uvicorn.Config(echo_app, host="127.0.0.1", port=port, log_config=None, lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        server.force_exit = True
        await task
