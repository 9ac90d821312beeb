"""The pytest plugin every suite loads (``-p shared.testing`` in the root ``pyproject.toml``).

Every test runs on SQLite and on PostgreSQL: the ``backend`` fixture is parametrised by
``KAFAAT_TEST_BACKENDS``. Each package's run migrates its own scratch database once; tables are
emptied after each test rather than rolled back, because the concurrency tests need real commits
seen by several connections.

A service's ``conftest.py`` names the service once::

    service_under_test = service_fixture(__file__, create_app, Base.metadata, Settings)

and gets ``database_url``, ``engine``, ``app``, ``client``, ``open_app`` (the application with
other settings), ``second_database`` (the application on another fresh database, to compare two
runs) and ``db_session`` (for factories that write rows straight into the database).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx2
import pytest
from pydantic import SecretStr
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from shared.db import create_sessionmaker
from shared.settings import BaseServiceSettings, Environment, ServiceTokenVerifierSettings
from shared.testing.databases import backends, empty_tables, migrated_engine, scratch_database
from shared.testing.principals import Keys
from shared.testing.records import SecondDatabase
from shared.testing.servers import asgi_client

S = TypeVar("S")
B = TypeVar("B", bound=BaseServiceSettings)
V = TypeVar("V", bound=ServiceTokenVerifierSettings)

# ``settings(database_url, keys, **overrides)``: the settings of the application under test.
SettingsFactory = Callable[..., S]
# ``async with open_app(cors_origins=[...]) as (app, client)``
OpenApp = Callable[..., AbstractAsyncContextManager[tuple[Any, httpx2.AsyncClient]]]


def settings_for_test(settings_class: type[B], database_url: str, **values: Any) -> B:
    """``settings_class`` for a test: environment ``test``, the test's database, plain logs,
    then ``values``; nothing read from the environment decides it."""
    defaults: dict[str, Any] = {
        "environment": Environment.TEST,
        "database_url": database_url,
        "log_json": False,
    }
    return settings_class(**(defaults | values))


def verifier_settings(settings_class: type[V]) -> SettingsFactory[V]:
    """Test settings for a service behind the gateway: it trusts the tests' key pair."""

    def settings(database_url: str, keys: Keys, **overrides: Any) -> V:
        public_keys = SecretStr(keys.public_pem.decode())
        return settings_for_test(
            settings_class, database_url, **({"service_token_public_keys": public_keys} | overrides)
        )

    return settings


class ServiceUnderTest:
    """What a package's ``conftest.py`` tells the shared fixtures (one pytest run per package)."""

    def __init__(
        self,
        name: str,
        root: Path,
        metadata: MetaData,
        create_app: Callable[[Any], Any],
        settings: SettingsFactory[Any],
    ) -> None:
        self.name = name
        self.root = root
        self.metadata = metadata
        self.create_app = create_app
        self.settings = settings

    def app(self, database_url: str, keys: Keys, **overrides: Any) -> Any:
        return self.create_app(self.settings(database_url, keys, **overrides))


def service_fixture(
    conftest: str,
    create_app: Callable[[S], Any],
    metadata: MetaData,
    settings: type[ServiceTokenVerifierSettings] | SettingsFactory[S],
) -> object:
    """The ``service_under_test`` fixture of the package whose ``tests/conftest.py`` is
    ``conftest`` (pass ``__file__``): the package directory holds ``alembic.ini`` and names the
    service. ``settings`` is the service's settings class (see ``verifier_settings``) or a
    function ``(database_url, keys, **overrides)`` returning its settings."""
    root = Path(conftest).resolve().parents[1]
    if isinstance(settings, type):
        settings = verifier_settings(settings)
    under_test = ServiceUnderTest(root.name, root, metadata, create_app, settings)

    @pytest.fixture(scope="session", name="service_under_test")
    def fixture() -> ServiceUnderTest:
        return under_test

    return fixture


@pytest.fixture(scope="session", params=backends())
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def keys() -> Keys:
    return Keys()


@pytest.fixture(scope="session")
async def database_url(
    backend: str, service_under_test: ServiceUnderTest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    prefix = f"kafaat_test_{service_under_test.name}"
    async with scratch_database(backend, prefix, tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
async def engine(
    service_under_test: ServiceUnderTest, database_url: str
) -> AsyncIterator[AsyncEngine]:
    engine = await migrated_engine(service_under_test.root, database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def clean_tables(
    service_under_test: ServiceUnderTest, engine: AsyncEngine
) -> AsyncIterator[AsyncEngine]:
    """The migrated database, emptied after the test (whatever wrote to it)."""
    yield engine
    await empty_tables(engine, service_under_test.metadata)


@pytest.fixture
def app(
    service_under_test: ServiceUnderTest, database_url: str, clean_tables: AsyncEngine, keys: Keys
) -> Any:
    return service_under_test.app(database_url, keys)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx2.AsyncClient]:
    async with asgi_client(app) as client:
        yield client


@pytest.fixture
def open_app(
    service_under_test: ServiceUnderTest, database_url: str, clean_tables: AsyncEngine, keys: Keys
) -> OpenApp:
    """``async with open_app(cors_origins=[...]) as (app, client)``: the application with other
    settings, on the same database as ``app`` (emptied after the test)."""

    @asynccontextmanager
    async def open_one(**overrides: Any) -> AsyncIterator[tuple[Any, httpx2.AsyncClient]]:
        app = service_under_test.app(database_url, keys, **overrides)
        async with asgi_client(app) as client:
            yield app, client

    return open_one


@pytest.fixture
def second_database(
    service_under_test: ServiceUnderTest,
    backend: str,
    keys: Keys,
    tmp_path_factory: pytest.TempPathFactory,
) -> SecondDatabase:
    """``async with second_database() as (database_url, client)``: another fresh, migrated
    database of the test's backend and a client of the application on it, both gone after the
    block: what a test of a deterministic generator compares its first run with."""

    @asynccontextmanager
    async def open_one() -> AsyncIterator[tuple[str, httpx2.AsyncClient]]:
        prefix = f"kafaat_test_{service_under_test.name}_second"
        directory = tmp_path_factory.mktemp("second_db")
        async with scratch_database(backend, prefix, directory) as url:
            engine = await migrated_engine(service_under_test.root, url)
            await engine.dispose()
            async with asgi_client(service_under_test.app(url, keys)) as client:
                yield url, client

    return open_one


@pytest.fixture
async def db_session(clean_tables: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session on the test's database, for factories that write rows without HTTP. Factories
    commit what they make (the application reads through its own connections); whatever is left
    pending is committed when the test ends."""
    async with create_sessionmaker(clean_tables)() as session:
        yield session
        await session.commit()
