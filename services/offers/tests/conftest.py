from __future__ import annotations

import httpx2
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from offers.database import Base
from offers.main import create_app
from offers.settings import Settings
from shared.testing import Keys, service_fixture

from .factories import Factory
from .helpers import Api

service_under_test = service_fixture(__file__, create_app, Base.metadata, Settings)


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
