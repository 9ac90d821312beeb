"""The restore drill, through the ``kafaat`` command line: four databases migrated and filled,
backed up, dropped, restored; the data and the migration heads come back identical."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from kafaat.cli import main
from kafaat.platform import PROCESSES, Process
from shared.migrations import alembic_config
from shared.testing import create_postgres_database, drop_postgres_database
from shared.testing.terminal import Terminal

Snapshot = dict[str, list[tuple[Any, ...]]]
ADMIN_EMAIL = "drill.admin@kafaat.ma"


def run_kafaat(*arguments: str) -> int:
    with pytest.raises(SystemExit) as stopped:
        main(list(arguments))
    code = stopped.value.code
    return code if isinstance(code, int) else 1


async def kafaat(*arguments: str) -> int:
    """``kafaat …`` as an operator runs it (it runs its own event loop: in a thread)."""
    return await asyncio.to_thread(run_kafaat, *arguments)


def heads(process: Process) -> list[str]:
    scripts = ScriptDirectory.from_config(alembic_config(process.root, "sqlite://"))
    return sorted(scripts.get_heads())


async def snapshot(url: str) -> Snapshot:
    """Every row of every table, in a stable order."""
    engine = create_async_engine(url)
    tables: Snapshot = {}
    async with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            query = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        else:
            query = "SELECT name FROM sqlite_master WHERE type = 'table'"
        for (table,) in (await connection.execute(text(query))).all():
            rows = (await connection.execute(text(f'SELECT * FROM "{table}"'))).all()
            tables[table] = sorted((tuple(row) for row in rows), key=repr)
    await engine.dispose()
    return tables


async def add_marker_rows(url: str) -> None:
    """Values a careless dump would lose: text beyond ASCII, NULL, time zones, bytes."""
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        binary = "BYTEA" if engine.dialect.name == "postgresql" else "BLOB"
        await connection.execute(
            text(
                "CREATE TABLE drill_marker (id INTEGER PRIMARY KEY, label TEXT, "
                f"noted_at TIMESTAMP WITH TIME ZONE, payload {binary})"
            )
        )
        await connection.execute(
            text("INSERT INTO drill_marker VALUES (:id, :label, :noted_at, :payload)"),
            [
                {
                    "id": 1,
                    "label": "Tanger-Tétouan-Al Hoceïma — طنجة",
                    "noted_at": datetime(2026, 11, 29, 8, 30, tzinfo=UTC),
                    "payload": bytes(range(256)),
                },
                {"id": 2, "label": None, "noted_at": None, "payload": None},
            ],
        )
    await engine.dispose()


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv("KAFAAT_ADMIN_PASSWORD", "a drill password long enough 2026!")
    return monkeypatch


@pytest.fixture
async def postgres_urls(environment: pytest.MonkeyPatch) -> AsyncIterator[dict[str, str]]:
    # PostgreSQL whatever KAFAAT_TEST_BACKENDS says: the drill is about pg_dump/pg_restore.
    urls = {
        p.name: await create_postgres_database(f"kafaat_test_drill_{p.name}") for p in PROCESSES
    }
    for process in PROCESSES:
        environment.setenv(process.url_setting, urls[process.name])
    yield urls
    for url in urls.values():
        await drop_postgres_database(url)


@pytest.fixture
def sqlite_urls(environment: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    urls = {p.name: f"sqlite+aiosqlite:///{tmp_path}/var/{p.name}.db" for p in PROCESSES}
    for process in PROCESSES:
        environment.setenv(process.url_setting, urls[process.name])
    return urls


async def fill(urls: dict[str, str]) -> dict[str, Snapshot]:
    assert await kafaat("migrate") == 0
    assert await kafaat("create-admin", "--email", ADMIN_EMAIL, "--full-name", "Drill") == 0
    for url in urls.values():
        await add_marker_rows(url)
    return {name: await snapshot(url) for name, url in urls.items()}


async def test_the_postgresql_restore_drill(postgres_urls: dict[str, str], tmp_path: Path) -> None:
    before = await fill(postgres_urls)
    assert any(ADMIN_EMAIL in repr(rows) for rows in before["gateway"].values())
    directory = tmp_path / "backup"

    assert await kafaat("backup", "--dir", str(directory)) == 0
    manifest = json.loads((directory / "manifest.json").read_text())
    for process in PROCESSES:
        entry = manifest["databases"][process.name]
        assert entry["kind"] == "postgresql-custom"
        # pg_dump's custom format starts with its magic bytes.
        assert (directory / entry["file"]).read_bytes()[:5] == b"PGDMP"
        assert entry["alembic_revisions"] == heads(process)

    for url in postgres_urls.values():
        await drop_postgres_database(url)
    assert await kafaat("restore", "--dir", str(directory)) == 2  # not without --yes
    assert await kafaat("restore", "--dir", str(directory), "--yes") == 0

    for process in PROCESSES:
        after = await snapshot(postgres_urls[process.name])
        assert after == before[process.name], process.name
        assert [row[0] for row in after["alembic_version"]] == heads(process)


async def test_restoring_over_changed_data_brings_the_backup_back(
    postgres_urls: dict[str, str], tmp_path: Path
) -> None:
    before = await fill(postgres_urls)
    assert await kafaat("backup", "--dir", str(tmp_path), "--only", "network") == 0
    engine = create_async_engine(postgres_urls["network"])
    async with engine.begin() as connection:
        await connection.execute(text("DELETE FROM drill_marker WHERE id = 1"))
        await connection.execute(text("INSERT INTO drill_marker (id, label) VALUES (3, 'new')"))
    await engine.dispose()
    assert await kafaat("restore", "--dir", str(tmp_path), "--only", "network", "--yes") == 0
    assert await snapshot(postgres_urls["network"]) == before["network"]


async def test_a_damaged_backup_is_refused_before_any_database_is_touched(
    postgres_urls: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = await fill(postgres_urls)
    assert await kafaat("backup", "--dir", str(tmp_path)) == 0
    dump = tmp_path / "network.dump"
    damaged = bytearray(dump.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    dump.write_bytes(bytes(damaged))
    engine = create_async_engine(postgres_urls["offers"])
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO drill_marker (id, label) VALUES (9, 'kept')"))
    await engine.dispose()

    assert await kafaat("restore", "--dir", str(tmp_path), "--yes") == 1
    assert "network.dump is missing or damaged" in capsys.readouterr().err
    # offers comes before network, and was left alone all the same.
    assert (await snapshot(postgres_urls["offers"])) != before["offers"]


async def test_the_sqlite_restore_drill(
    sqlite_urls: dict[str, str], tmp_path: Path, environment: pytest.MonkeyPatch
) -> None:
    before = await fill(sqlite_urls)
    directory = tmp_path / "backup"
    # On a terminal both show how far they are (the other drills run as in CI: nothing drawn).
    screen = Terminal()
    environment.setattr(sys, "stderr", screen)
    assert await kafaat("backup", "--dir", str(directory)) == 0
    assert "backing up" in screen.text
    assert f"{len(PROCESSES)}/{len(PROCESSES)} databases" in screen.text
    for process in PROCESSES:
        (tmp_path / "var" / f"{process.name}.db").unlink()
    assert await kafaat("restore", "--dir", str(directory), "--yes") == 0
    total = sum(
        entry["bytes"]
        for entry in json.loads((directory / "manifest.json").read_text())["databases"].values()
    )
    assert f"{total}/{total} bytes" in screen.text
    for process in PROCESSES:
        after = await snapshot(sqlite_urls[process.name])
        assert after == before[process.name]
        assert [row[0] for row in after["alembic_version"]] == heads(process)


async def test_a_backup_of_another_kind_of_database_is_refused(
    sqlite_urls: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await fill(sqlite_urls)
    assert await kafaat("backup", "--dir", str(tmp_path)) == 0
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    manifest["databases"]["offers"]["kind"] = "postgresql-custom"
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    assert await kafaat("restore", "--dir", str(tmp_path), "--yes") == 1
    assert "offers: the backup is a postgresql-custom one" in capsys.readouterr().err


async def test_import_offers_is_the_offers_services_import(
    sqlite_urls: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await kafaat("import-offers", str(tmp_path / "missing.csv")) == 2
    assert "no such file" in capsys.readouterr().err
