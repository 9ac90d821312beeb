"""The gateway application: ``uvicorn --factory gateway.main:create_app``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway import forward_auth, openapi, status
from gateway.principals import resolve_principal
from gateway.proxy import Proxy
from gateway.routing import resolve
from gateway.service_tokens import ServiceTokenMinter
from gateway.settings import Settings
from shared.app import create_base_app
from shared.reference.router import router as reference_router
from shared.tokens import ServiceTokenSigner, development_keypair

SERVICE = "gateway"


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


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    proxy = Proxy(settings, ServiceTokenMinter(_signer(settings)), resolve_principal)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        proxy.open()
        try:
            yield
        finally:
            await proxy.close()

    api = APIRouter(prefix="/api/v1")
    api.include_router(reference_router)
    app = create_base_app(
        service=SERVICE,
        title="Kafaat API",
        description=(
            "The public API of the Kafaat platform: training offer, beneficiary support, "
            "partnership networks and regional employment/training adequacy."
        ),
        settings=settings,
        routers=[api, status.router, openapi.router, forward_auth.router],
        extra_lifespan=lifespan,
        middleware=[Middleware(ProxyDispatch, proxy=proxy)],
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.proxy = proxy
    app.state.merged_openapi = openapi.MergedOpenAPI(app)
    return app
