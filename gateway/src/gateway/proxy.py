"""The proxy data path: a pure-ASGI forwarder from public routes to the owning service.

It streams bodies both ways, strips hop-by-hop headers (RFC 9110 §7.6.1, and every header named
in ``Connection``), drops identity headers sent by clients, sets ``X-Forwarded-*`` to the caller
as the gateway sees it (see :mod:`shared.forwarded`), propagates ``X-Request-ID`` and attaches a
freshly signed service token. A service that is down answers 503 and one that is too slow 504,
within the configured deadline.

The hot path runs on an aiohttp client (its HTTP parser and writer are C; ``bench/gateway.py``
measures it against httpx2, which serves every other call the gateway makes: status, OpenAPI,
fan-outs). Both clients share one classification of failures, :func:`failure_reason`.

The path is the one the gateway routed on, percent-encoded again, so the service routes on the
same segments (the request guard in front has refused dot segments and encoded slashes), and
no byte a client sends can make the URL unbuildable: that is a 400, never a 500.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

import aiohttp
import httpx2
from starlette.types import Message, Receive, Scope, Send
from yarl import URL

from gateway.failures import failure_problem, failure_reason
from gateway.routing import Route
from gateway.service_tokens import ServiceTokenMinter
from gateway.settings import Settings
from shared import keepalive
from shared.forwarded import TrustedProxies
from shared.metrics import label_route, record_backend_call
from shared.observability import current_request_id
from shared.principal import Principal
from shared.problems import ProblemError

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
_BODY_HEADERS = frozenset({b"content-length", b"transfer-encoding"})
_IDENTITY_PREFIXES = (b"x-user-", b"x-auth-", b"x-principal-", b"x-kafaat-")
_RESPONSE_HEADERS_REPLACED = frozenset({b"x-request-id", b"server", b"date"})

PrincipalResolver = Callable[[str | None], Awaitable[Principal]]
# RFC 3986 characters a path or a query keeps as they are; anything else is percent-encoded.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?%"
# Headers the client would add on its own: the service gets the caller's, or none.
_NO_AUTO_HEADERS = frozenset({"Accept", "Accept-Encoding", "User-Agent", "Content-Type"})
# What a call to a service raises when the service, not the request, is at fault.
UPSTREAM_ERRORS = (TimeoutError, httpx2.TransportError, aiohttp.ClientError)
RequestBody = bytes | AsyncIterable[bytes] | None


@dataclass(slots=True)
class UpstreamResponse:
    """A service's answer as the relay needs it, whatever client fetched it."""

    status: int
    headers: Sequence[tuple[bytes, bytes]]
    chunks: AsyncIterator[bytes]
    release: Callable[[], Awaitable[None]]


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
        # Calls the gateway makes itself (status, OpenAPI, fan-outs); the hot path is ``session``.
        self.client: httpx2.AsyncClient | None = None
        self.session: aiohttp.ClientSession | None = None

    def open(self) -> None:
        """Create the clients (once per process, in the application's lifespan)."""
        settings = self.settings
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(
                limit=settings.max_connections_per_service * len(self.service_urls),
                limit_per_host=settings.max_connections_per_service,
                keepalive_timeout=keepalive.CLIENT_SECONDS,
            ),
            timeout=aiohttp.ClientTimeout(
                total=None,
                # Waiting for a pooled connection plus opening one; a slow body read is a 504.
                connect=settings.pool_timeout + settings.connect_timeout,
                sock_connect=settings.connect_timeout,
                sock_read=settings.upstream_deadline,
            ),
            # Bytes are relayed as they come (compressed stays compressed), no cookie is kept
            # from one caller's answer for another's request, and nothing is added on our own.
            auto_decompress=False,
            cookie_jar=aiohttp.DummyCookieJar(),
            skip_auto_headers=_NO_AUTO_HEADERS,
            trust_env=False,
        )
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
        if self.session is not None:
            await self.session.close()
            self.session = None
        if self.client is not None:
            await self.client.aclose()
            self.client = None

    def _upstream_headers(
        self, scope: Scope, principal: Principal, audience: str
    ) -> list[tuple[str, str]]:
        incoming: list[tuple[bytes, bytes]] = scope["headers"]
        dropped = _connection_tokens(incoming)
        # Whitespace around a value is not part of it (RFC 9110 §5.5): servers strip it on the
        # way in, and HTTP/1.1 forbids sending it.
        headers = [
            (name.decode("latin-1"), _header_value(name, value))
            for name, value in incoming
            if name not in dropped and name not in _FORWARDED and not _is_identity_header(name)
        ]
        # The caller as the gateway decided it: forwarded headers only from trusted proxies.
        trusted = self.trusted_proxies
        headers.append(("x-forwarded-for", trusted.client_address(scope)))
        headers.append(("x-forwarded-proto", trusted.scheme(scope)))
        host = trusted.host(scope)
        if host:
            headers.append(("x-forwarded-host", host))
        request_id = current_request_id()
        if request_id:
            headers.append(("x-request-id", request_id))
        token = self.minter.token_for(principal, audience)
        headers.append(("authorization", "Bearer " + token))
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
            await problem.response()(scope, receive, send)

    async def _forward(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        route: Route,
        upstream_path: str,
        principal: Principal,
    ) -> None:
        service = route.service
        url = self.service_urls[service] + quote(upstream_path, safe=_PATH_SAFE)
        query: bytes = scope.get("query_string", b"")
        if query:
            url += "?" + quote(query, safe=_QUERY_SAFE)
        headers = self._upstream_headers(scope, principal, service)
        body = await _request_body(scope, receive)
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.settings.upstream_deadline):
                upstream = await self.send_upstream(scope["method"], url, headers, body)
        except UPSTREAM_ERRORS as exc:
            if isinstance(body, _BodyStream) and body.error is not None:
                raise body.error from None
            reason = failure_reason(exc)
            logger.warning("%s: %s (%r)", service, reason, exc)
            record_backend_call(service, reason, time.perf_counter() - started)
            raise failure_problem(reason, service) from exc
        except ValueError as exc:
            # A header the client cannot write (a raw CR or LF only an in-process caller sends).
            raise ProblemError(
                400, "not_forwardable", params={"error": str(exc)}, slug="bad-request"
            ) from exc
        record_backend_call(service, upstream.status, time.perf_counter() - started)
        try:
            await _relay(upstream, send)
        finally:
            await upstream.release()

    async def send_upstream(
        self, method: str, url: str, headers: list[tuple[str, str]], body: RequestBody
    ) -> UpstreamResponse:
        """Send one request to a service and return its answer's head, the body still to read."""
        assert self.session is not None, "proxy used before the application started"
        # ``encoded``: the URL is already percent-encoded, exactly as the service must see it.
        response = await self.session.request(
            method, URL(url, encoded=True), headers=headers, data=body, allow_redirects=False
        )

        async def release() -> None:
            # Back to the pool when the body was read to its end, else the connection is closed.
            response.release()

        return UpstreamResponse(
            response.status, response.raw_headers, response.content.iter_any(), release
        )


async def _relay(upstream: UpstreamResponse, send: Send) -> None:
    # Names as the service spelled them (``Connection``, ``Keep-Alive``): compared in lower case.
    headers = [(name.lower(), value) for name, value in upstream.headers]
    dropped = _connection_tokens(headers) | _RESPONSE_HEADERS_REPLACED
    headers = [(name, value) for name, value in headers if name not in dropped]
    await send({"type": "http.response.start", "status": upstream.status, "headers": headers})
    try:
        async for chunk in upstream.chunks:
            if chunk:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
    except UPSTREAM_ERRORS as exc:
        # Headers are gone already: all we can do is cut the response short.
        logger.warning("upstream body interrupted: %r", exc)
        raise
    await send({"type": "http.response.body", "body": b"", "more_body": False})


def _header_value(name: bytes, value: bytes) -> str:
    try:
        return value.strip(b" \t").decode()
    except UnicodeDecodeError as exc:
        raise ProblemError(
            400,
            "header_not_utf8",
            params={"header": name.decode("latin-1")},
            slug="bad-request",
        ) from exc


class _BodyStream:
    """A request body read from the client while it is sent on, message by message.

    What reading it raised (the body-size limit's 413, say) is kept: a client wraps an error of
    its body source in its own (aiohttp: "failed to send bytes"), and that is no fault of the
    service, so the proxy raises the original instead.
    """

    __slots__ = ("first", "receive", "error")

    def __init__(self, first: bytes, receive: Receive) -> None:
        self.first = first
        self.receive = receive
        self.error: Exception | None = None

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.first
        while True:
            try:
                message = await self.receive()
            except Exception as exc:
                self.error = exc
                raise
            if message["type"] == "http.disconnect":
                return
            yield message.get("body", b"")
            if not message.get("more_body", False):
                return


async def _request_body(scope: Scope, receive: Receive) -> bytes | _BodyStream | None:
    """The request body: none when the request announces none (RFC 9112 §6.3: neither
    Content-Length nor Transfer-Encoding), bytes when it came in one message (the common case),
    else a stream."""
    if not any(name in _BODY_HEADERS for name, _ in scope["headers"]):
        return None
    first: Message = await receive()
    body: bytes = first.get("body", b"")
    if not first.get("more_body", False):
        return body or None
    return _BodyStream(body, receive)
