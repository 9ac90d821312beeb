"""Rate limits with ``limits``: per IP, per principal, and stricter on the sign-in endpoints.

Counters live in memory, or in Redis when ``KAFAAT_GATEWAY_REDIS_URL`` is set so that every
gateway replica draws from one budget. A sliding-window counter costs one Redis round trip per
limit. Should Redis fail, each replica falls back to counting in its own memory (logged) rather
than refusing all traffic or letting it all through.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.errors import StorageError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.identity.security import header
from gateway.principals import PrincipalResolver
from gateway.settings import Settings
from shared.forwarded import TrustedProxies
from shared.principal import Principal
from shared.problems import problem_response

if TYPE_CHECKING:
    from redis.asyncio import ConnectionPool

logger = logging.getLogger("kafaat.gateway.rate_limits")

AUTH_PREFIX = "/api/v1/auth/"
# Probes only. The edge's forward-auth calls are counted against the caller they ask about (its
# address as the edge forwards it, its principal): every decision the edge has not cached is one
# request of that caller, on top of the edge's own limits (see kafaat.edge).
EXEMPT_PREFIXES = ("/healthz", "/readyz")
_REDIS_TIMEOUT_SECONDS = 0.5
_WARN_EVERY_SECONDS = 30.0


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: RateLimitItem
    remaining: int
    reset_seconds: int

    def headers(self) -> dict[str, str]:
        """RateLimit header fields (draft-ietf-httpapi-ratelimit-headers)."""
        headers = {
            "RateLimit-Limit": str(self.limit.amount),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_seconds),
            "RateLimit-Policy": f"{self.limit.amount};w={self.limit.get_expiry()}",
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.reset_seconds)
        return headers


def is_auth_endpoint(method: str, path: str) -> bool:
    return method == "POST" and path.startswith(AUTH_PREFIX)


class RateLimits:
    def __init__(self, settings: Settings) -> None:
        self.per_ip = parse(settings.rate_limit_per_ip)
        self.per_principal = parse(settings.rate_limit_per_principal)
        self.auth_per_ip = parse(settings.rate_limit_auth_per_ip)
        self._pool: ConnectionPool | None = None
        storage: MemoryStorage | RedisStorage
        if settings.redis_url is not None:
            # Imported only when used: it costs start-up time to every gateway otherwise.
            from redis.asyncio import ConnectionPool

            url = settings.redis_url.get_secret_value()
            self._pool = ConnectionPool.from_url(
                url,
                socket_timeout=_REDIS_TIMEOUT_SECONDS,
                socket_connect_timeout=_REDIS_TIMEOUT_SECONDS,
            )
            options = cast(dict[str, Any], {"connection_pool": self._pool})
            storage = RedisStorage(
                "async+" + url,
                wrap_exceptions=True,
                implementation="redispy",
                key_prefix=settings.rate_limit_key_prefix,
                **options,
            )
        else:
            storage = MemoryStorage()
        self._limiter = SlidingWindowCounterRateLimiter(storage)
        self._fallback = SlidingWindowCounterRateLimiter(MemoryStorage())
        self._warned_at = 0.0

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()

    def _storage_failed(self, exc: StorageError) -> None:
        now = time.monotonic()
        if now - self._warned_at > _WARN_EVERY_SECONDS:
            self._warned_at = now
            logger.warning("rate-limit storage failed, counting in memory: %r", exc.storage_error)

    async def _hit(self, item: RateLimitItem, *identifiers: str) -> bool:
        try:
            return await self._limiter.hit(item, *identifiers)
        except StorageError as exc:
            self._storage_failed(exc)
            return await self._fallback.hit(item, *identifiers)

    async def _decision(self, allowed: bool, item: RateLimitItem, *identifiers: str) -> Decision:
        try:
            stats = await self._limiter.get_window_stats(item, *identifiers)
        except StorageError as exc:
            self._storage_failed(exc)
            stats = await self._fallback.get_window_stats(item, *identifiers)
        reset = max(1, math.ceil(stats.reset_time - time.time()))
        remaining = max(0, stats.remaining) if allowed else 0
        return Decision(allowed=allowed, limit=item, remaining=remaining, reset_seconds=reset)

    async def check(self, *, ip: str, principal: Principal, auth_endpoint: bool) -> Decision:
        """Count one request; the decision carries the headers to answer with."""
        checks: list[tuple[RateLimitItem, tuple[str, ...]]] = []
        if auth_endpoint:
            checks.append((self.auth_per_ip, ("auth-ip", ip)))
        checks.append((self.per_ip, ("ip", ip)))
        if not principal.is_anonymous:
            checks.append((self.per_principal, ("principal", principal.kind, principal.subject)))
        for item, identifiers in checks:
            if not await self._hit(item, *identifiers):
                return await self._decision(False, item, *identifiers)
        # Shown: the limit the caller is most likely to meet first.
        item, identifiers = checks[0] if auth_endpoint else checks[-1]
        return await self._decision(True, item, *identifiers)


class RateLimitMiddleware:
    """Applies :class:`RateLimits` to every request, proxied ones included; 429 with
    ``Retry-After`` past a limit, ``RateLimit-*`` headers on every answer."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limits: RateLimits,
        resolver: PrincipalResolver,
        trusted_proxies: TrustedProxies,
    ) -> None:
        self.app = app
        self.limits = limits
        self.resolver = resolver
        self.trusted_proxies = trusted_proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        method: str = scope["method"]
        if method == "OPTIONS" or path.startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        authorization = header(scope, b"authorization")
        # A bad token counts against the IP only; the 401 itself is answered further in.
        principal = self.resolver.resolve_quietly(
            authorization.decode("latin-1") if authorization else None
        )
        decision = await self.limits.check(
            ip=self.trusted_proxies.client_address(scope),
            principal=principal,
            auth_endpoint=is_auth_endpoint(method, path),
        )
        added = [
            (name.lower().encode(), value.encode()) for name, value in decision.headers().items()
        ]
        if not decision.allowed:
            response = problem_response(
                429,
                "rate_limited",
                params={
                    "amount": decision.limit.amount,
                    "seconds": decision.limit.get_expiry(),
                    "retry_after": decision.reset_seconds,
                },
                slug="rate-limited",
                headers=decision.headers(),
            )
            await response(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *added]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
