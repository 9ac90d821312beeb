"""Security headers on every answer of every Kafaat application, whichever path served it.

One pure-ASGI middleware (streamed bodies stay streamed) installed by the shared application
factory in the gateway and in each service, so an answer carries the same headers whether it came
through the gateway's Python proxy, through the edge (nginx) straight from a service, or from a
service called directly:

- ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY``, ``Referrer-Policy: no-referrer``
  on everything;
- ``Cache-Control: no-store`` on every answer to an authenticated caller (and, in the gateway, to
  any request with credentials), so no shared or browser cache keeps personal data;
- ``Strict-Transport-Security`` only when the request came over TLS, directly or by
  ``X-Forwarded-Proto`` from a trusted proxy (RFC 6797), and only where ``hsts_max_age`` is set
  (the gateway; the edge adds it for the services' answers).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.forwarded import TrustedProxies
from shared.principal import Principal

ALWAYS: tuple[tuple[str, str], ...] = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
)
NO_STORE = ("Cache-Control", "no-store")
_ALWAYS = tuple((name.lower().encode(), value.encode()) for name, value in ALWAYS)
_NO_STORE = (NO_STORE[0].lower().encode(), NO_STORE[1].encode())
_CREDENTIAL_HEADERS = (b"authorization", b"cookie")


def _authenticated_principal(scope: Scope) -> bool:
    # Set by the authentication dependency before the route runs, so before the answer starts.
    state = scope.get("state")
    principal = state.get("principal") if isinstance(state, dict) else None
    return isinstance(principal, Principal) and not principal.is_anonymous


class SecurityHeadersMiddleware:
    """See the module. ``client_credentials``: whether a request's own ``Authorization`` or
    ``Cookie`` marks it as authenticated (the gateway, whose callers send their credentials);
    services, which always receive a service token, look at the caller's principal instead."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        trusted_proxies: TrustedProxies | None = None,
        hsts_max_age: int = 0,
        client_credentials: bool = False,
    ) -> None:
        self.app = app
        self.trusted_proxies = trusted_proxies or TrustedProxies()
        self.hsts = (
            (b"strict-transport-security", f"max-age={hsts_max_age}; includeSubDomains".encode())
            if hsts_max_age > 0
            else None
        )
        self.client_credentials = client_credentials

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # This request's own state (servers copy the lifespan state per request, as the principal
        # read below must never be an earlier request's; not every harness does).
        scope["state"] = dict(scope.get("state") or {})
        added = list(_ALWAYS)
        if self.client_credentials and any(
            name in _CREDENTIAL_HEADERS for name, _ in scope["headers"]
        ):
            added.append(_NO_STORE)
        if self.hsts is not None and self.trusted_proxies.scheme(scope) == "https":
            added.append(self.hsts)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer = added
                if _NO_STORE not in answer and _authenticated_principal(scope):
                    answer = [*added, _NO_STORE]
                replaced = {name for name, _ in answer}
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() not in replaced
                ]
                message = {**message, "headers": headers + answer}
            await send(message)

        await self.app(scope, receive, send_with_headers)
