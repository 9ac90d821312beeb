"""People are bound to organisations the owning services vouch for: the identity tests run the
gateway with every service URL on a stand-in that serves the tests' organisations."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from pydantic import AnyHttpUrl
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.testing import Keys, ServiceUnderTest, serve

from ..organisations import Organisations


@pytest.fixture(scope="session")
async def organisation_server() -> AsyncIterator[tuple[Organisations, str]]:
    stand_in = Organisations()
    async with serve(stand_in, lifespan="off") as url:
        yield stand_in, url


@pytest.fixture
def organisations(organisation_server: tuple[Organisations, str]) -> Iterator[Organisations]:
    stand_in, _ = organisation_server
    stand_in.reset()
    yield stand_in
    stand_in.reset()


@pytest.fixture
def service_urls(organisation_server: tuple[Organisations, str]) -> dict[str, Any]:
    url = AnyHttpUrl(organisation_server[1])
    return {"offers_url": url, "beneficiaries_url": url, "network_url": url}


@pytest.fixture
def app(
    service_under_test: ServiceUnderTest,
    database_url: str,
    clean_tables: AsyncEngine,
    keys: Keys,
    organisations: Organisations,
    service_urls: dict[str, Any],
) -> Any:
    return service_under_test.app(database_url, keys, **service_urls)
