"""Pure-ASGI middleware at the gateway's edge: security headers and the request-body limit.

Pure ASGI (not ``BaseHTTPMiddleware``) so that streamed bodies stay streamed, proxied ones
included.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.problems import problem_response


def header(scope: Scope, name: bytes) -> bytes | None:
    """The last value of a request header (names are lower-case in ASGI)."""
    found = None
    for key, value in scope["headers"]:
        if key == name:
            found = value
    return found


def client_ip(scope: Scope, *, trust_forwarded_headers: bool) -> str:
    """The caller's address: the socket peer, or behind a trusted edge proxy the address it
    appended last to ``X-Forwarded-For`` (earlier entries come from the client: forgeable)."""
    if trust_forwarded_headers:
        forwarded = header(scope, b"x-forwarded-for")
        if forwarded:
            last = forwarded.split(b",")[-1].strip()
            if last:
                return last.decode("latin-1")
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def came_over_https(scope: Scope, *, trust_forwarded_headers: bool) -> bool:
    if scope.get("scheme") == "https":
        return True
    if trust_forwarded_headers:
        proto = header(scope, b"x-forwarded-proto")
        return proto is not None and proto.split(b",")[-1].strip().lower() == b"https"
    return False


_ALWAYS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
)


class SecurityHeadersMiddleware:
    """Security headers on every response, the gateway's own and the proxied ones.

    ``Cache-Control: no-store`` on every answer to a request with credentials, so no shared or
    browser cache keeps personal data; HSTS only when the request came over TLS (directly, or
    by ``X-Forwarded-Proto`` from a trusted edge proxy), as RFC 6797 asks.
    """

    def __init__(self, app: ASGIApp, *, trust_forwarded_headers: bool, hsts_max_age: int) -> None:
        self.app = app
        self.trust_forwarded_headers = trust_forwarded_headers
        self.hsts = f"max-age={hsts_max_age}; includeSubDomains".encode()
        self.hsts_enabled = hsts_max_age > 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        added = list(_ALWAYS)
        if header(scope, b"authorization") is not None:
            added.append((b"cache-control", b"no-store"))
        if self.hsts_enabled and came_over_https(
            scope, trust_forwarded_headers=self.trust_forwarded_headers
        ):
            added.append((b"strict-transport-security", self.hsts))
        replaced = {name for name, _ in added}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() not in replaced
                ]
                message = {**message, "headers": headers + added}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(HTTPException):
    """Raised while reading a body past the limit: the gateway's routes answer it as a 413
    problem through the usual handler, and the middleware answers it for proxied requests."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, detail=f"The request body is larger than {limit} bytes.")


class BodySizeLimitMiddleware:
    """413 for bodies over ``max_bytes``: at once when ``Content-Length`` says so, otherwise as
    soon as a streamed body goes past it (nothing beyond the limit is read)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self) -> ASGIApp:
        # The same problem as BodyTooLarge answered by the routes' handler.
        return problem_response(
            413, detail=f"The request body is larger than {self.max_bytes} bytes."
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = header(scope, b"content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > self.max_bytes:
            await self._too_large()(scope, receive, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
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
            await self._too_large()(scope, receive, send)
