from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx2
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from offers.database import Base
from offers.main import create_app
from offers.settings import Settings
from shared.db import create_sessionmaker
from shared.settings import Environment
from shared.testing import Keys, ServiceUnderTest, empty_tables

from .factories import Factory
from .helpers import Api


def _create_app(database_url: str, keys: Keys) -> FastAPI:
    settings = Settings(
        environment=Environment.TEST,
        database_url=database_url,
        service_token_public_keys=SecretStr(keys.public_pem.decode()),
        log_json=False,
    )
    return create_app(settings)


@pytest.fixture(scope="session")
def service_under_test() -> ServiceUnderTest:
    return ServiceUnderTest("offers", Path(__file__).parents[1], Base.metadata, _create_app)


@pytest.fixture
def api(client: httpx2.AsyncClient, keys: Keys) -> Api:
    return Api(client, keys)


@pytest.fixture
async def db(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A database session for the tests of the services (no HTTP); tables are emptied after."""
    async with create_sessionmaker(engine)() as session:
        yield session
    await empty_tables(engine, Base.metadata)


@pytest.fixture
def factory(db: AsyncSession) -> Factory:
    return Factory(db)
