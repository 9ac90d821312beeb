"""deploy/postgres/init-databases.sh against the real PostgreSQL: one role and one database per
process, closed to the others, and enough for each process's migrations."""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from kafaat.platform import PROCESSES, ROOT
from shared.migrations import upgrade
from shared.testing import postgres_admin_url

SCRIPT = ROOT / "deploy/postgres/init-databases.sh"


def run_script(prefix: str, passwords: dict[str, str]) -> subprocess.CompletedProcess[str]:
    admin = make_url(postgres_admin_url())
    env = {
        **os.environ,
        "PGHOST": admin.host or "127.0.0.1",
        "PGPORT": str(admin.port or 5432),
        "POSTGRES_USER": admin.username or "postgres",
        "KAFAAT_DB_NAME_PREFIX": prefix,
        **passwords,
    }
    if admin.password:
        env["PGPASSWORD"] = admin.password
    return subprocess.run(
        [str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60, check=False
    )


async def admin_execute(*statements: str) -> None:
    engine = create_async_engine(postgres_admin_url(), isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        for statement in statements:
            await connection.execute(text(statement))
    await engine.dispose()


def url_for(prefix: str, role_of: str, database_of: str) -> str:
    admin = make_url(postgres_admin_url())
    url = admin.set(
        username=f"{prefix}kafaat_{role_of}",
        password=f"secret-{role_of}",
        database=f"{prefix}{database_of}",
    )
    return url.render_as_string(hide_password=False)


@pytest.fixture
async def prefix() -> AsyncIterator[str]:
    # PostgreSQL whatever KAFAAT_TEST_BACKENDS says: the script provisions PostgreSQL.
    prefix = f"kafaat_test_init_{uuid.uuid4().hex[:8]}_"
    yield prefix
    for process in PROCESSES:
        await admin_execute(
            f'DROP DATABASE IF EXISTS "{prefix}{process.name}" WITH (FORCE)',
            f'DROP ROLE IF EXISTS "{prefix}kafaat_{process.name}"',
        )


PASSWORDS = {f"KAFAAT_{p.name.upper()}_DB_PASSWORD": f"secret-{p.name}" for p in PROCESSES}


async def test_each_process_gets_its_own_database_and_can_migrate_it(prefix: str) -> None:
    first = run_script(prefix, PASSWORDS)
    assert first.returncode == 0, first.stderr
    again = run_script(prefix, PASSWORDS)  # a restarted container must not fail
    assert again.returncode == 0, again.stderr
    for process in PROCESSES:
        url = url_for(prefix, process.name, process.name)
        await asyncio.to_thread(upgrade, process.root, url)
        engine = create_async_engine(url)
        async with engine.connect() as connection:
            owner = await connection.scalar(
                text(
                    "SELECT pg_get_userbyid(datdba) FROM pg_database "
                    "WHERE datname = current_database()"
                )
            )
            version = await connection.scalar(text("SELECT version_num FROM alembic_version"))
        await engine.dispose()
        assert owner == f"{prefix}kafaat_{process.name}"
        assert version


async def test_a_process_cannot_connect_to_another_ones_database(prefix: str) -> None:
    assert run_script(prefix, PASSWORDS).returncode == 0
    engine = create_async_engine(url_for(prefix, "offers", "beneficiaries"))
    with pytest.raises(Exception, match="(?i)permission denied for database"):
        async with engine.connect():
            pass
    await engine.dispose()


async def test_a_missing_password_stops_the_script_and_names_it(prefix: str) -> None:
    passwords = {k: v for k, v in PASSWORDS.items() if k != "KAFAAT_NETWORK_DB_PASSWORD"}
    result = run_script(prefix, passwords)
    assert result.returncode != 0
    assert "KAFAAT_NETWORK_DB_PASSWORD is required" in result.stderr
