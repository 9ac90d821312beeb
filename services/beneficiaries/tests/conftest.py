from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx2
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from beneficiaries.audit.immutability import sqlite_triggers
from beneficiaries.database import Base
from beneficiaries.main import create_app
from beneficiaries.settings import Settings
from shared.testing import Keys, ServiceUnderTest, service_fixture, verifier_settings
from shared.testing.databases import empty_tables

from .cases import Api
from .factories import Factory

_settings = verifier_settings(Settings)


def _test_settings(database_url: str, keys: Keys, **overrides: Any) -> Settings:
    """The tests look at the statistics' rollup themselves: nothing rebuilds it behind their
    back unless a test asks (``stats_refresh_seconds``)."""
    return _settings(database_url, keys, **({"stats_refresh_seconds": 0} | overrides))


service_under_test = service_fixture(__file__, create_app, Base.metadata, _test_settings)


@pytest.fixture
async def clean_tables(
    service_under_test: ServiceUnderTest, engine: AsyncEngine
) -> AsyncIterator[AsyncEngine]:
    """The migrated database, emptied after the test. On SQLite the audit tables refuse
    DELETE (their triggers), so the triggers are lifted for the emptying, then put back."""
    yield engine
    sqlite = engine.dialect.name == "sqlite"
    if sqlite:
        async with engine.begin() as connection:
            for name, _ in sqlite_triggers():
                await connection.execute(text(f"DROP TRIGGER {name}"))
    try:
        await empty_tables(engine, service_under_test.metadata)
    finally:
        if sqlite:
            async with engine.begin() as connection:
                for _, create in sqlite_triggers():
                    await connection.execute(text(create))


@pytest.fixture
def api(client: httpx2.AsyncClient, keys: Keys) -> Api:
    return Api(client, keys)


@pytest.fixture
def db(db_session: AsyncSession) -> AsyncSession:
    """The database session of the services' tests (no HTTP), named as the code names it."""
    return db_session


@pytest.fixture
def factory(db: AsyncSession) -> Factory:
    return Factory(db)
