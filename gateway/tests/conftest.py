"""Gateway test plumbing: the shared fixtures (``app``, ``client`` on SQLite and PostgreSQL),
gateways with other settings and identity factories."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.main import create_app
from gateway.models import Base
from shared.testing import OpenApp, service_fixture
from shared.testing.windows import within_one_window_if_tight

from .factories import Identities
from .helpers import gateway_settings, identity_of

service_under_test = service_fixture(__file__, create_app, Base.metadata, gateway_settings)

OpenGateway = Callable[..., AbstractAsyncContextManager[tuple[FastAPI, httpx2.AsyncClient]]]


@pytest.fixture
def open_gateway(open_app: OpenApp) -> OpenGateway:
    """``async with open_gateway(cors_origins=[...]) as (app, client)``: a gateway with other
    settings, on the same database as ``app`` (emptied after the test). With a tight rate
    limit, it opens where the test fits in one counting window (see ``shared.testing.windows``)."""

    @asynccontextmanager
    async def open_one(**overrides: Any) -> AsyncIterator[tuple[FastAPI, httpx2.AsyncClient]]:
        await within_one_window_if_tight(overrides)
        async with open_app(**overrides) as opened:
            yield opened

    return open_one


@pytest.fixture
def identities(app: FastAPI, db_session: AsyncSession) -> Identities:
    """People and API clients written straight into the test's database."""
    return Identities(db_session, identity_of(app).passwords)
