"""``kafaat-beneficiaries verify-audit``: a removed or altered entry is found, by sequence."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from beneficiaries.audit import service as audit_service
from beneficiaries.audit.immutability import sqlite_triggers
from beneficiaries.cli import run
from shared.principal import Role
from shared.testing.terminal import Terminal

from ..helpers import Api, staff


@asynccontextmanager
async def tampering(engine: AsyncEngine) -> AsyncIterator[None]:
    """What someone with the database's owner rights could do: lift the triggers."""
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            for table in ("audit_entry", "audit_entry_record"):
                await connection.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        else:
            for name, _ in sqlite_triggers():
                await connection.execute(text(f"DROP TRIGGER {name}"))
    try:
        yield
    finally:
        async with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                for table in ("audit_entry", "audit_entry_record"):
                    await connection.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
            else:
                for _, create in sqlite_triggers():
                    await connection.execute(text(create))


async def five_entries(api: Api) -> None:
    association = await api.association()
    counsellor = staff(Role.COUNSELLOR, association["id"])
    person = await api.person(association["id"], counsellor)
    for _ in range(4):
        response = await api.request("GET", f"/v1/beneficiaries/{person['id']}", counsellor)
        assert response.status_code == 200


async def verify(engine: AsyncEngine) -> audit_service.Verification:
    async with AsyncSession(engine) as db:
        return await audit_service.verify(db, batch=2)


async def cli(monkeypatch: pytest.MonkeyPatch, database_url: str, *args: str) -> int:
    monkeypatch.setenv("KAFAAT_BENEFICIARIES_DATABASE_URL", database_url)
    return await asyncio.to_thread(run, list(args))


async def test_an_intact_chain_passes(
    api: Api, clean_tables: AsyncEngine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await five_entries(api)
    result = await verify(clean_tables)
    assert result.intact
    assert result.checked == 5
    assert await cli(monkeypatch, database_url, "verify-audit") == 0
    # On a terminal it shows how far it is; in a pipe (above), only its result.
    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    assert await cli(monkeypatch, database_url, "verify-audit") == 0
    assert "verifying the audit trail" in screen.text
    assert "5/5 entries" in screen.text


@pytest.mark.parametrize(
    ("statement", "bad", "reason"),
    [
        ("DELETE FROM audit_entry_record WHERE sequence = 3", 3, "people touched altered"),
        ("UPDATE audit_entry SET actor = 'nobody' WHERE sequence = 2", 2, "altered"),
        ("UPDATE audit_entry SET purpose = 'statistics' WHERE sequence = 4", 4, "altered"),
    ],
)
async def test_an_altered_entry_is_named(
    api: Api,
    clean_tables: AsyncEngine,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    statement: str,
    bad: int,
    reason: str,
) -> None:
    await five_entries(api)
    async with tampering(clean_tables), clean_tables.begin() as connection:
        await connection.execute(text(statement))
    result = await verify(clean_tables)
    assert result.first_bad_sequence == bad
    assert reason in (result.reason or "")
    assert await cli(monkeypatch, database_url, "verify-audit") == 1
    assert f"broken at sequence {bad}" in capsys.readouterr().err


async def test_a_removed_entry_is_named_even_when_the_rest_is_rechained(
    api: Api, clean_tables: AsyncEngine
) -> None:
    await five_entries(api)
    async with tampering(clean_tables), clean_tables.begin() as connection:
        await connection.execute(text("DELETE FROM audit_entry_record WHERE sequence = 3"))
        await connection.execute(text("DELETE FROM audit_entry WHERE sequence = 3"))
    result = await verify(clean_tables)
    assert (result.first_bad_sequence, result.reason) == (3, "entry missing")
    # Entries removed from the end leave no gap the chain itself can show (that needs the head
    # kept elsewhere); an entry re-chained to hide it is found at once.
    async with tampering(clean_tables), clean_tables.begin() as connection:
        await connection.execute(text("DELETE FROM audit_entry_record"))
        await connection.execute(text("DELETE FROM audit_entry WHERE sequence > 1"))
        await connection.execute(
            text("UPDATE audit_entry SET previous_hash = 'f' WHERE sequence = 1")
        )
    result = await verify(clean_tables)
    assert result.first_bad_sequence == 1
