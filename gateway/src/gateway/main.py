"""The gateway application: ``uvicorn --factory gateway.main:create_app``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway import docs, forward_auth, openapi, status
from gateway.identity.dependencies import Identity, authenticate
from gateway.identity.rate_limits import RateLimitMiddleware, RateLimits
from gateway.identity.router import router as identity_router
from gateway.identity.security import BodySizeLimitMiddleware
from gateway.proxy import Proxy
from gateway.routing import UPLOAD_PATHS, resolve
from gateway.service_tokens import ServiceTokenMinter
from gateway.settings import Settings
from gateway.views.fanout import FanOut
from gateway.views.router import router as views_router
from shared.app import create_base_app
from shared.forwarded import TrustedProxies
from shared.reference.router import router as reference_router
from shared.tokens import ServiceTokenSigner, development_keypair

SERVICE = "gateway"
logger = logging.getLogger("kafaat.gateway")


class ProxyDispatch:
    """Sends requests for service-owned prefixes to the proxy, the rest to the gateway's routes."""

    def __init__(self, app: ASGIApp, proxy: Proxy) -> None:
        self.app = app
        self.proxy = proxy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            target = resolve(scope["path"])
            if target is not None:
                await self.proxy(scope, receive, send, *target)
                return
        await self.app(scope, receive, send)


def _signer(settings: Settings) -> ServiceTokenSigner:
    if settings.service_token_private_key is not None:
        pem = settings.service_token_private_key.get_secret_value().encode()
    else:
        pem, _ = development_keypair(settings.var_dir)
    return ServiceTokenSigner.from_pem(
        pem,
        issuer=settings.service_token_issuer,
        lifetime_seconds=settings.service_token_lifetime_seconds,
    )


def _edge_middleware(
    settings: Settings, identity: Identity, limits: RateLimits, trusted: TrustedProxies
) -> list[Middleware]:
    """Outermost first (inside the shared security headers and request guard, which reach every
    answer, a 413 or a 429 too): CORS grants reach the 429s a browser must be able to read, rate
    limits run before a body is read, and all of it covers proxied requests."""
    middleware: list[Middleware] = []
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                allow_headers=[
                    "Authorization",
                    "Content-Type",
                    "If-Match",
                    "Idempotency-Key",
                    "X-Request-ID",
                ],
                expose_headers=[
                    "ETag",
                    "Location",
                    "Preference-Applied",
                    "Retry-After",
                    "X-Request-ID",
                    "RateLimit-Limit",
                    "RateLimit-Remaining",
                    "RateLimit-Reset",
                    "RateLimit-Policy",
                ],
                max_age=600,
            )
        )
    middleware.append(
        Middleware(
            RateLimitMiddleware,
            limits=limits,
            resolver=identity.resolver,
            trusted_proxies=trusted,
        )
    )
    middleware.append(
        Middleware(
            BodySizeLimitMiddleware,
            max_bytes=settings.max_body_bytes,
            upload_max_bytes=settings.max_upload_bytes,
            upload_paths=UPLOAD_PATHS,
        )
    )
    return middleware


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    identity = Identity.from_settings(settings)
    limits = RateLimits(settings)
    trusted = TrustedProxies(settings.trusted_proxies)
    if settings.edge_secret is not None and not settings.trusted_proxies:
        logger.warning(
            "KAFAAT_GATEWAY_EDGE_SECRET is set but KAFAAT_GATEWAY_TRUSTED_PROXIES is empty: the "
            "edge's address stands for every client in rate limits (set it to the edge's network)"
        )
    proxy = Proxy(settings, ServiceTokenMinter(_signer(settings)), identity.resolver, trusted)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        proxy.open()
        try:
            yield
        finally:
            await proxy.close()
            await limits.close()

    api = APIRouter(prefix="/api/v1")
    api.include_router(reference_router)
    api.include_router(identity_router)
    app = create_base_app(
        service=SERVICE,
        title="Kafaat API",
        description=(
            "The public API of the Kafaat platform: training offer, beneficiary support, "
            "partnership networks and regional employment/training adequacy."
        ),
        settings=settings,
        routers=[
            api,
            views_router,
            status.router,
            openapi.router,
            docs.docs_router(openapi.OPENAPI_PATH, "Kafaat API"),
            forward_auth.router,
        ],
        dependencies=[Depends(authenticate)],
        extra_lifespan=lifespan,
        middleware=[
            *_edge_middleware(settings, identity, limits, trusted),
            Middleware(ProxyDispatch, proxy=proxy),
        ],
        trusted_proxies=trusted,
        hsts_max_age=settings.hsts_max_age_seconds,
        client_credentials=True,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.proxy = proxy
    app.state.fanout = FanOut(proxy, settings, app.state.metrics)
    app.state.identity = identity
    app.state.rate_limits = limits
    app.state.merged_openapi = openapi.MergedOpenAPI(app)
    return app
