"""The offers service application: ``uvicorn --factory offers.main:create_app``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from offers.catalogue.router import router as offers_router
from offers.exchange.router import router as exchange_router
from offers.imports import service as imports_service
from offers.imports.router import router as imports_router
from offers.providers.router import router as providers_router
from offers.sessions.router import router as sessions_router
from offers.settings import Settings
from offers.stats.router import router as stats_router
from shared.app import create_service_app
from shared.db import plan_every_query

SERVICE = "offers"
# Any order: ids are typed in the paths, so /v1/offers/export is never an offer id.
ROUTERS = [
    providers_router,
    exchange_router,
    imports_router,
    offers_router,
    sessions_router,
    stats_router,
]


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    plan_every_query(app.state.engine)
    # Import jobs: run here as well as by every other replica, each exactly once.
    async with imports_service.worker(app):
        yield


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        service=SERVICE,
        title="Kafaat offers service",
        description=(
            "Training providers, offers and sessions: the register "
            "of the training offer of every region."
        ),
        settings=settings or Settings(),
        routers=ROUTERS,
        extra_lifespan=_lifespan,
    )
