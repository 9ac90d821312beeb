"""Alembic plumbing shared by every service: one async ``env.py`` body and programmatic upgrade."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Literal

from alembic import command, context
from alembic.autogenerate.api import AutogenContext
from alembic.config import Config
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import async_engine_from_config

from shared.db import UTCDateTime, is_sqlite


def alembic_config(service_root: Path, database_url: str) -> Config:
    """Config for the service whose ``alembic.ini`` sits in ``service_root``."""
    config = Config(str(service_root / "alembic.ini"))
    config.set_main_option("script_location", str(service_root / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(service_root: Path, database_url: str, revision: str = "head") -> None:
    if is_sqlite(database_url):
        database = database_url.split("///", 1)[-1]
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(service_root, database_url), revision)


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    # Migrations spell the shared UTC timestamp as the plain column type it stores.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection: Connection, metadata: MetaData) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_item=_render_item,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(metadata: MetaData) -> None:
    config = context.config
    engine = async_engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    async with engine.connect() as connection:
        await connection.run_sync(_configure, metadata)
    await engine.dispose()


def run_env(metadata: MetaData, default_url: str) -> None:
    """The whole body of a service's ``migrations/env.py``."""
    config = context.config
    if not config.get_main_option("sqlalchemy.url"):
        config.set_main_option("sqlalchemy.url", default_url.replace("%", "%%"))
    if context.is_offline_mode():
        context.configure(
            url=config.get_main_option("sqlalchemy.url"),
            target_metadata=metadata,
            literal_binds=True,
            render_as_batch=is_sqlite(config.get_main_option("sqlalchemy.url") or ""),
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _configure(connectable, metadata)
        return
    asyncio.run(_run_async(metadata))
