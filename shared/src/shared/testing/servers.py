"""Applications under test over HTTP: in process (``asgi_client``) or on a loopback port
(``serve``), for the tests that need a real socket (a proxy, nginx, a deadline)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, Literal

import httpx2
import uvicorn
from asgi_lifespan import LifespanManager

# How long ``serve`` lets requests still in flight finish when the block ends (a stalled
# upstream never does); then uvicorn cancels them and runs the application's shutdown.
STOP_GRACE_SECONDS = 1


# The tests' clients ask for English problems, so that the tests asserting their texts read
# them in the language of the code; the French default and Arabic have tests of their own.
TEST_LANGUAGE_HEADERS = {"Accept-Language": "en"}


@asynccontextmanager
async def asgi_client(app: Any, **headers: str) -> AsyncIterator[httpx2.AsyncClient]:
    """An in-process HTTP client that runs the application's lifespan (asking for English
    problems unless ``accept_language=`` says otherwise)."""
    headers = TEST_LANGUAGE_HEADERS | {
        name.replace("_", "-"): value for name, value in headers.items()
    }
    async with LifespanManager(app) as manager:
        # Like a real server: an unhandled error is the 500 response, not an exception here.
        transport = httpx2.ASGITransport(app=manager.app, raise_app_exceptions=False)
        async with httpx2.AsyncClient(
            transport=transport, base_url="http://testserver", headers=headers
        ) as client:
            yield client


def free_port() -> int:
    """A port free on 127.0.0.1 right now (for a process started by the test; ``serve`` does
    not need one: it listens on a socket it keeps)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def serve(
    app: Any | Callable[[], Any],
    *,
    factory: bool = False,
    lifespan: Literal["auto", "on", "off"] = "on",
) -> AsyncIterator[str]:
    """Run an ASGI application (or, with ``factory=True``, the one a callable returns) with
    uvicorn on 127.0.0.1 for the time of the block; yields its base URL (``http://127.0.0.1:N``).

    The block starts once the socket listens and the application's startup has finished; a
    failure to start is raised here. At the end the server stops accepting, lets requests in
    flight finish for ``STOP_GRACE_SECONDS`` and runs the application's shutdown.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    config = uvicorn.Config(
        app,
        factory=factory,
        lifespan=lifespan,
        log_config=None,
        timeout_graceful_shutdown=STOP_GRACE_SECONDS,
    )
    server = uvicorn.Server(config)

    async def run() -> None:
        try:
            await server.serve(sockets=[sock])
        except SystemExit as exit:  # uvicorn's answer to a failed startup; not for the tests
            raise RuntimeError(f"the server did not start (exit status {exit.code})") from None

    task = asyncio.create_task(run())
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("the server stopped before it started")
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        try:
            await task
        finally:
            sock.close()
