"""Gateway test plumbing: the shared fixtures (``app``, ``client`` on SQLite and PostgreSQL) and
a factory for gateways with other settings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.main import create_app
from gateway.models import Base
from shared.testing import Keys, ServiceUnderTest, asgi_client, empty_tables

from .helpers import gateway_settings


def _create_app(database_url: str, keys: Keys) -> FastAPI:
    return create_app(gateway_settings(database_url, keys))


@pytest.fixture(scope="session")
def service_under_test() -> ServiceUnderTest:
    return ServiceUnderTest("gateway", Path(__file__).parents[1], Base.metadata, _create_app)


OpenGateway = Callable[..., AbstractAsyncContextManager[tuple[FastAPI, httpx2.AsyncClient]]]


@pytest.fixture
async def open_gateway(
    database_url: str, engine: AsyncEngine, keys: Keys
) -> AsyncIterator[OpenGateway]:
    """``async with open_gateway(cors_origins=[...]) as (app, client)``: a gateway with other
    settings, on the same database as ``app`` (emptied after the test)."""

    @asynccontextmanager
    async def open_one(**overrides: Any) -> AsyncIterator[tuple[FastAPI, httpx2.AsyncClient]]:
        app = create_app(gateway_settings(database_url, keys, **overrides))
        async with asgi_client(app) as client:
            yield app, client

    yield open_one
    await empty_tables(engine, Base.metadata)
