from __future__ import annotations

from pathlib import Path

import httpx2
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from offers.database import Base
from offers.main import create_app
from offers.settings import Settings
from shared.settings import Environment
from shared.testing import Keys, ServiceUnderTest

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
