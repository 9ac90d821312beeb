"""Pure-ASGI middleware at the gateway's edge: the request-body limit (the security headers
are every application's, see :mod:`shared.security_headers`).

Pure ASGI (not ``BaseHTTPMiddleware``) so that streamed bodies stay streamed, proxied ones
included.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.problems import ProblemError


def header(scope: Scope, name: bytes) -> bytes | None:
    """The value of a single-valued request header (names are lower-case in ASGI; the request
    guard refuses a second line of the headers it matters for)."""
    found = None
    for key, value in scope["headers"]:
        if key == name:
            found = value
    return found


class BodyTooLarge(HTTPException):
    """Raised while reading a body past the limit: the gateway's routes answer it as a 413
    problem through the usual handler, and the middleware answers it for proxied requests."""

    def __init__(self, limit: int) -> None:
        super().__init__(413)
        self.problem = _problem(limit)


def _too_large(limit: int) -> ASGIApp:
    # The same problem as BodyTooLarge answered by the routes' handler.
    return _problem(limit).response()


def _problem(limit: int) -> ProblemError:
    return ProblemError(413, "body_too_large", params={"limit": limit})


class BodySizeLimitMiddleware:
    """413 for bodies over ``max_bytes`` (``upload_max_bytes`` on ``upload_paths``): at once when
    ``Content-Length`` says so, otherwise as soon as a streamed body goes past it (nothing beyond
    the limit is read)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        upload_max_bytes: int | None = None,
        upload_paths: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_max_bytes = upload_max_bytes or max_bytes
        self.upload_paths = upload_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.upload_max_bytes if scope["path"] in self.upload_paths else self.max_bytes
        declared = header(scope, b"content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > limit:
            await _too_large(limit)(scope, receive, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await _too_large(limit)(scope, receive, send)
