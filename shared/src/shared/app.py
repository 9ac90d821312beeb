"""The one way a Kafaat application is built (the three services and the gateway)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.params import Depends as DependsParam
from fastapi.routing import APIRoute
from starlette.middleware import Middleware

from shared import health
from shared.auth import authenticate
from shared.db import create_engine, create_sessionmaker
from shared.db_failures import install_database_failure_handlers
from shared.forwarded import TrustedProxies
from shared.metrics import install_metrics
from shared.observability import RequestIdMiddleware, configure_logging
from shared.openapi import install_openapi
from shared.policy import require
from shared.problems import install_problem_handlers
from shared.request_guard import RequestGuardMiddleware
from shared.security_headers import SecurityHeadersMiddleware
from shared.settings import BaseServiceSettings, ServiceTokenVerifierSettings
from shared.tokens import ServiceTokenVerifier, development_keypair, load_public_keys

ExtraLifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def operation_id(route: APIRoute) -> str:
    """Stable, readable operation ids (``offers-list``) for generated front-end clients."""
    tag = str(route.tags[0]) if route.tags else "default"
    return f"{tag}-{route.name}".replace("_", "-")


def create_base_app(
    *,
    service: str,
    title: str,
    description: str,
    settings: BaseServiceSettings,
    routers: Sequence[APIRouter],
    dependencies: Sequence[DependsParam] = (),
    extra_lifespan: ExtraLifespan | None = None,
    middleware: Sequence[Middleware] = (),
    trusted_proxies: TrustedProxies | None = None,
    hsts_max_age: int = 0,
    client_credentials: bool = False,
    version: str = "0.1.0",
    **fastapi_options: Any,
) -> FastAPI:
    """Build an application: its engine in ``lifespan``, problem+json errors, request ids,
    JSON logs, ``/healthz``, ``/readyz`` and ``/metrics``, the security headers on every answer
    and the request guard (see :mod:`shared.request_guard`) in front of everything else.
    ``middleware`` runs inside those, in the order given; ``trusted_proxies``, ``hsts_max_age``
    and ``client_credentials`` configure the security headers."""
    configure_logging(service, settings.log_level, json_lines=settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(
            settings.database_url or settings.default_sqlite_url(service),
            pool_size=settings.database_pool_size,
            echo=settings.database_echo,
        )
        app.state.engine = engine
        app.state.sessionmaker = create_sessionmaker(engine)
        try:
            if extra_lifespan is None:
                yield
            else:
                async with extra_lifespan(app):
                    yield
        finally:
            await engine.dispose()

    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        dependencies=list(dependencies),
        generate_unique_id_function=operation_id,
        **fastapi_options,
    )
    app.state.settings = settings
    app.state.service = service
    install_problem_handlers(app)
    install_database_failure_handlers(app)
    app.include_router(health.router)
    for router in routers:
        app.include_router(router)
    install_openapi(app)
    for extra in reversed(middleware):
        app.add_middleware(extra.cls, *extra.args, **extra.kwargs)
    # Outermost first: request id, metrics, security headers (on the guard's answers too), the
    # guard (before rate limits, proxying and routing).
    app.add_middleware(RequestGuardMiddleware)
    app.add_middleware(
        SecurityHeadersMiddleware,
        trusted_proxies=trusted_proxies,
        hsts_max_age=hsts_max_age,
        client_credentials=client_credentials,
    )
    install_metrics(app, service)
    app.add_middleware(RequestIdMiddleware)
    return app


def token_verifier(settings: ServiceTokenVerifierSettings, audience: str) -> ServiceTokenVerifier:
    if settings.service_token_public_keys is not None:
        pems = settings.service_token_public_keys.get_secret_value().encode()
    else:
        # Development only (production refuses to start without keys, see the settings).
        _, pems = development_keypair(settings.var_dir)
    peers = {
        name: load_public_keys(keys.get_secret_value().encode())
        for name, keys in settings.peers.items()
    }
    return ServiceTokenVerifier(
        public_keys=load_public_keys(pems),
        audience=audience,
        issuer=settings.service_token_issuer,
        leeway_seconds=settings.service_token_leeway_seconds,
        peers=peers,
    )


def create_service_app(
    *,
    service: str,
    title: str,
    description: str,
    settings: ServiceTokenVerifierSettings,
    routers: Sequence[APIRouter],
    extra_lifespan: ExtraLifespan | None = None,
) -> FastAPI:
    """A service behind the gateway: every route needs the gateway's service token (or, where
    the route's policy names it, a listed peer's) unless it is marked ``@public``; the OpenAPI
    document too."""
    app = create_base_app(
        service=service,
        title=title,
        description=description,
        settings=settings,
        routers=routers,
        dependencies=[Depends(authenticate)],
        extra_lifespan=extra_lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.token_verifier = token_verifier(settings, audience=service)

    @app.get("/openapi.json", include_in_schema=False, dependencies=[require(anonymous=True)])
    async def openapi_document() -> dict[str, Any]:
        return app.openapi()

    return app
