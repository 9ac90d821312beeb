"""Test plumbing every suite shares (a pytest plugin: ``pytest_plugins = ["shared.testing"]``).

Every test runs on SQLite and on PostgreSQL: the ``database_url`` fixture is parametrised by
backend. Each PostgreSQL run creates its own database and drops it at the end. Tables are
emptied after each test rather than rolled back, because the concurrency tests need real commits
seen by several connections.

Settings: ``KAFAAT_TEST_BACKENDS`` (default ``sqlite,postgresql``) and
``KAFAAT_TEST_POSTGRES_URL`` (default ``postgresql+asyncpg://postgres@127.0.0.1:5432/postgres``).
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import MetaData, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from shared.db import create_engine
from shared.migrations import upgrade
from shared.principal import Principal, Role
from shared.tokens import ServiceTokenSigner, generate_private_key_pem, public_key_pem

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


def backends() -> list[str]:
    return [
        b.strip() for b in os.environ.get("KAFAAT_TEST_BACKENDS", "sqlite,postgresql").split(",")
    ]


def postgres_admin_url() -> str:
    return os.environ.get("KAFAAT_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


async def create_postgres_database(prefix: str) -> str:
    """Create an empty database and return its URL."""
    admin = make_url(postgres_admin_url())
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    engine = create_async_engine(admin, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()
    return admin.set(database=name).render_as_string(hide_password=False)


async def drop_postgres_database(url: str) -> None:
    admin = make_url(postgres_admin_url())
    name = make_url(url).database
    engine = create_async_engine(admin, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await engine.dispose()


@asynccontextmanager
async def scratch_database(backend: str, prefix: str, directory: Path) -> AsyncIterator[str]:
    """A new, empty database of ``backend`` for the time of the block."""
    if backend == "sqlite":
        path = directory / f"{prefix}_{uuid.uuid4().hex[:8]}.db"
        yield f"sqlite+aiosqlite:///{path}"
        return
    url = await create_postgres_database(prefix)
    try:
        yield url
    finally:
        await drop_postgres_database(url)


async def migrated_engine(service_root: Path, url: str) -> AsyncEngine:
    await asyncio.to_thread(upgrade, service_root, url)
    return create_engine(url)


async def empty_tables(engine: AsyncEngine, metadata: MetaData) -> None:
    tables = list(reversed(metadata.sorted_tables))
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                await connection.execute(table.delete())


@asynccontextmanager
async def asgi_client(app: Any, **headers: str) -> AsyncIterator[httpx2.AsyncClient]:
    """An in-process HTTP client that runs the application's lifespan."""
    async with LifespanManager(app) as manager:
        # Like a real server: an unhandled error is the 500 response, not an exception here.
        transport = httpx2.ASGITransport(app=manager.app, raise_app_exceptions=False)
        async with httpx2.AsyncClient(
            transport=transport, base_url="http://testserver", headers=headers
        ) as client:
            yield client


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Keys:
    """A throw-away gateway key pair and a signer for tokens in tests."""

    def __init__(self) -> None:
        self.private_pem = generate_private_key_pem()
        self.public_pem = public_key_pem(self.private_pem)
        self.signer = ServiceTokenSigner.from_pem(self.private_pem)

    def token(self, audience: str, principal: Principal | None = None, **claims: Any) -> str:
        return self.signer.sign(principal or make_principal(**claims), audience)

    def headers(
        self, audience: str, principal: Principal | None = None, **claims: Any
    ) -> dict[str, str]:
        return {"Authorization": "Bearer " + self.token(audience, principal, **claims)}


def make_principal(**fields: Any) -> Principal:
    fields.setdefault("subject", str(uuid.uuid4()))
    fields.setdefault("kind", "user")
    if fields["kind"] == "user":
        fields.setdefault("role", Role.ADMIN)
    return Principal(**fields)


@pytest.fixture(scope="session", params=backends())
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def keys() -> Keys:
    return Keys()


class ServiceUnderTest:
    """What a service's ``conftest.py`` tells the shared fixtures (one pytest run per package)."""

    def __init__(
        self,
        name: str,
        root: Path,
        metadata: MetaData,
        create_app: Callable[[str, Keys], Any],
    ) -> None:
        self.name = name
        self.root = root
        self.metadata = metadata
        self.create_app = create_app


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
async def app(
    service_under_test: ServiceUnderTest, database_url: str, engine: AsyncEngine, keys: Keys
) -> AsyncIterator[Any]:
    yield service_under_test.create_app(database_url, keys)
    await empty_tables(engine, service_under_test.metadata)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx2.AsyncClient]:
    async with asgi_client(app) as client:
        yield client
