"""Scratch databases for tests: one per backend, created and dropped by the suite itself.

Settings: ``KAFAAT_TEST_BACKENDS`` (default ``sqlite,postgresql``) and
``KAFAAT_TEST_POSTGRES_URL`` (default ``postgresql+asyncpg://postgres@127.0.0.1:5432/postgres``).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import MetaData, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from shared.db import create_engine
from shared.migrations import upgrade

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
    """Empty every table (tests commit for real: the concurrency tests need several connections
    to see each other's writes, so there is no transaction to roll back)."""
    tables = list(reversed(metadata.sorted_tables))
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                await connection.execute(table.delete())
