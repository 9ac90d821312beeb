"""The proxy data path: a pure-ASGI forwarder from public routes to the owning service.

It streams bodies both ways, strips hop-by-hop headers (RFC 9110 §7.6.1, and every header named
in ``Connection``), drops identity headers sent by clients, sets ``X-Forwarded-*`` to the caller
as the gateway sees it (see :mod:`shared.forwarded`), propagates ``X-Request-ID`` and attaches a
freshly signed service token. A service that is down answers 503 and one that is too slow 504,
within the configured deadline.

The path is the one the gateway routed on, percent-encoded again, so the service routes on the
same segments (the request guard in front has refused dot segments and encoded slashes), and
no byte a client sends can make the URL unbuildable: that is a 400, never a 500.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Literal
from urllib.parse import quote

import httpx2
from starlette.types import Message, Receive, Scope, Send

from gateway.routing import Route
from gateway.service_tokens import ServiceTokenMinter
from gateway.settings import Settings
from shared.forwarded import TrustedProxies
from shared.metrics import label_route, record_backend_call
from shared.observability import current_request_id
from shared.principal import Principal
from shared.problems import ProblemError, problem_response

logger = logging.getLogger("kafaat.gateway.proxy")

HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
    }
)
# Set by the gateway itself, or identity claims a client must never be able to forge.
_REQUEST_HEADERS_REPLACED = frozenset(
    {
        b"host",
        b"authorization",
        b"cookie",
        b"x-request-id",
        b"x-principal",
        b"x-service-token",
        b"x-remote-user",
        b"x-forwarded-user",
        b"x-forwarded-email",
    }
)
_FORWARDED = frozenset(
    {b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-host", b"forwarded"}
)
_IDENTITY_PREFIXES = (b"x-user-", b"x-auth-", b"x-principal-", b"x-kafaat-")
_RESPONSE_HEADERS_REPLACED = frozenset({b"x-request-id", b"server", b"date"})

PrincipalResolver = Callable[[str | None], Awaitable[Principal]]
# RFC 3986 characters a path or a query keeps as they are; anything else is percent-encoded.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?%"


def _connection_tokens(headers: list[tuple[bytes, bytes]]) -> frozenset[bytes]:
    named = [
        token.strip().lower()
        for name, value in headers
        if name == b"connection"
        for token in value.split(b",")
    ]
    return HOP_BY_HOP.union(named)


def _is_identity_header(name: bytes) -> bool:
    return name in _REQUEST_HEADERS_REPLACED or name.startswith(_IDENTITY_PREFIXES)


class Proxy:
    def __init__(
        self,
        settings: Settings,
        minter: ServiceTokenMinter,
        resolve_principal: PrincipalResolver,
        trusted_proxies: TrustedProxies | None = None,
    ) -> None:
        self.settings = settings
        self.minter = minter
        self.resolve_principal = resolve_principal
        self.trusted_proxies = trusted_proxies or TrustedProxies()
        self.service_urls = settings.service_urls()
        self.client: httpx2.AsyncClient | None = None

    def open(self) -> None:
        settings = self.settings
        self.client = httpx2.AsyncClient(
            timeout=httpx2.Timeout(
                connect=settings.connect_timeout,
                read=settings.upstream_deadline,
                write=settings.upstream_deadline,
                pool=settings.pool_timeout,
            ),
            limits=httpx2.Limits(
                max_connections=settings.max_connections_per_service * len(self.service_urls),
                max_keepalive_connections=settings.max_connections_per_service,
                keepalive_expiry=30,
            ),
            follow_redirects=False,
            trust_env=False,
        )

    async def close(self) -> None:
        if self.client is not None:
            await self.client.aclose()
            self.client = None

    def _upstream_headers(
        self, scope: Scope, principal: Principal, audience: str
    ) -> list[tuple[bytes, bytes]]:
        incoming: list[tuple[bytes, bytes]] = scope["headers"]
        dropped = _connection_tokens(incoming)
        # Whitespace around a value is not part of it (RFC 9110 §5.5): servers strip it on the
        # way in, and HTTP/1.1 forbids sending it.
        headers = [
            (name, value.strip(b" \t"))
            for name, value in incoming
            if name not in dropped and name not in _FORWARDED and not _is_identity_header(name)
        ]
        # The caller as the gateway decided it: forwarded headers only from trusted proxies.
        trusted = self.trusted_proxies
        headers.append((b"x-forwarded-for", trusted.client_address(scope).encode("latin-1")))
        headers.append((b"x-forwarded-proto", trusted.scheme(scope).encode("latin-1")))
        host = trusted.host(scope)
        if host:
            headers.append((b"x-forwarded-host", host.encode("latin-1")))
        request_id = current_request_id()
        if request_id:
            headers.append((b"x-request-id", request_id.encode()))
        token = self.minter.token_for(principal, audience)
        headers.append((b"authorization", b"Bearer " + token.encode()))
        return headers

    async def __call__(
        self, scope: Scope, receive: Receive, send: Send, route: Route, upstream_path: str
    ) -> None:
        # One metrics series per public prefix, whatever the ids in the path.
        label_route(scope, route.prefix + "/{path}")
        try:
            authorization = None
            for name, value in scope["headers"]:
                if name == b"authorization":
                    authorization = value.decode("latin-1")
                    break
            principal = await self.resolve_principal(authorization)
            await self._forward(scope, receive, send, route, upstream_path, principal)
        except ProblemError as problem:
            response = problem_response(
                problem.status,
                title=problem.title,
                detail=problem.detail,
                slug=problem.slug,
                errors=problem.errors,
                headers=problem.headers,
                extra=problem.extra,
            )
            await response(scope, receive, send)

    async def _forward(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        route: Route,
        upstream_path: str,
        principal: Principal,
    ) -> None:
        assert self.client is not None, "proxy used before the application started"
        service = route.service
        url = self.service_urls[service] + quote(upstream_path, safe=_PATH_SAFE)
        query: bytes = scope.get("query_string", b"")
        if query:
            url += "?" + quote(query, safe=_QUERY_SAFE)
        headers = self._upstream_headers(scope, principal, service)
        content = await _request_body(receive)
        try:
            request = self.client.build_request(
                scope["method"], url, headers=headers, content=content
            )
        except (httpx2.InvalidURL, UnicodeError, ValueError) as exc:
            raise ProblemError(
                400, f"The request cannot be forwarded: {exc}.", slug="bad-request"
            ) from exc
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.settings.upstream_deadline):
                upstream = await self.client.send(request, stream=True)
        except (TimeoutError, httpx2.TransportError) as exc:
            reason = failure_reason(exc)
            logger.warning("%s: %s (%r)", service, reason, exc)
            record_backend_call(service, reason, time.perf_counter() - started)
            status, what = _FAILURE_ANSWERS[reason]
            raise _upstream_problem(status, service, what) from exc
        record_backend_call(service, upstream.status_code, time.perf_counter() - started)
        try:
            await self._relay(upstream, send)
        finally:
            await upstream.aclose()

    async def _relay(self, upstream: httpx2.Response, send: Send) -> None:
        raw_headers = upstream.headers.raw
        dropped = _connection_tokens(raw_headers) | _RESPONSE_HEADERS_REPLACED
        headers = [(name.lower(), value) for name, value in raw_headers]
        headers = [(name, value) for name, value in headers if name not in dropped]
        await send(
            {"type": "http.response.start", "status": upstream.status_code, "headers": headers}
        )
        try:
            async for chunk in upstream.aiter_raw():
                if chunk:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except httpx2.TransportError as exc:
            # Headers are gone already: all we can do is cut the response short.
            logger.warning("upstream body interrupted: %r", exc)
            raise
        await send({"type": "http.response.body", "body": b"", "more_body": False})


UpstreamFailure = Literal["timeout", "unavailable", "broken"]
_FAILURE_ANSWERS: dict[UpstreamFailure, tuple[int, str]] = {
    "timeout": (504, "did not answer in time"),
    "unavailable": (503, "is unavailable"),
    "broken": (502, "answered with a broken response"),
}


def failure_reason(exc: BaseException) -> UpstreamFailure:
    """Why a call to a service failed: the one classification the proxy and fan-outs share."""
    # Connect timeouts are timeouts too, but they mean nobody is there: check them first.
    if isinstance(exc, httpx2.ConnectError | httpx2.ConnectTimeout | httpx2.PoolTimeout):
        return "unavailable"
    if isinstance(exc, TimeoutError | httpx2.TimeoutException):
        return "timeout"
    return "broken"


def _upstream_problem(status: int, service: str, what: str) -> ProblemError:
    return ProblemError(
        status,
        f"The {service} service {what}; other services are unaffected. Retry later.",
        slug={502: "upstream-error", 503: "upstream-unavailable"}.get(status, "upstream-timeout"),
        extra={"service": service},
        headers={"Retry-After": "5"} if status == 503 else None,
    )


async def _request_body(receive: Receive) -> bytes | AsyncIterator[bytes] | None:
    """The request body: bytes when it came in one message (the common case), else a stream."""
    first: Message = await receive()
    body: bytes = first.get("body", b"")
    if not first.get("more_body", False):
        return body or None

    async def stream() -> AsyncIterator[bytes]:
        yield body
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            yield message.get("body", b"")
            if not message.get("more_body", False):
                return

    return stream()
