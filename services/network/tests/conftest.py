from __future__ import annotations

import httpx2
import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from network.database import Base
from network.institution_models.models import InstitutionModel
from network.institution_models.programme import PROGRAMME_MODELS
from network.main import create_app
from network.settings import Settings
from shared.db import utcnow
from shared.testing import Keys, service_fixture

from .activity_world import Caller, Records
from .factories import Factory
from .helpers import Api

service_under_test = service_fixture(__file__, create_app, Base.metadata, Settings)


@pytest.fixture(autouse=True)
async def programme_models(engine: AsyncEngine) -> None:
    """The two models migration 0002 inserts, back before every test: the plugin empties every
    table after a test, and a network cannot exist without its model."""
    async with engine.begin() as connection:
        present = (await connection.execute(select(InstitutionModel.id))).first()
        if present is None:
            now = utcnow()
            await connection.execute(
                insert(InstitutionModel),
                [
                    {**model, "version": 1, "created_at": now, "updated_at": now}
                    for model in PROGRAMME_MODELS
                ],
            )


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


# --- net-activity: events, attendance, decisions, agreements, feeds, activity -------------


@pytest.fixture
def records(db_session: AsyncSession) -> Records:
    return Records(db_session)


@pytest.fixture
def caller(client: httpx2.AsyncClient, keys: Keys) -> Caller:
    return Caller(client, keys)
