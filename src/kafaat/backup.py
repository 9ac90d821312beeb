"""``kafaat backup`` and ``kafaat restore``: one file per process's database, and a manifest.

PostgreSQL databases are dumped with ``pg_dump --format=custom`` and restored with
``pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction``, so a restore
replaces the database's content as one transaction, owned by the role of the process's own
``DATABASE_URL``; a database that does not exist any more is created first when that role may.
SQLite databases (``make run``) are copied with SQLite's online backup API, which is safe while
the process runs.

The manifest (``manifest.json``) records each file's SHA-256 and the database's Alembic
revision: a restore checks every file, and that this version of Kafaat knows every revision,
before it touches any database, then checks the restored revision.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, ProgrammingError
from sqlalchemy.ext.asyncio import create_async_engine

from kafaat.platform import Process
from shared.migrations import alembic_config
from shared.progress import progress

MANIFEST = "manifest.json"
FORMAT_VERSION = 1


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Target:
    process: Process
    url: URL

    @property
    def name(self) -> str:
        return self.process.name

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def file_name(self) -> str:
        return f"{self.name}.sqlite3" if self.is_sqlite else f"{self.name}.dump"


def target(process: Process, url: str) -> Target:
    parsed = make_url(url)
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise BackupError(f"{process.name}: cannot back up a {parsed.get_backend_name()} database")
    return Target(process, parsed)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL client of the server's major "
            "version or newer (Debian: postgresql-client)"
        )
    return found


def libpq_environment(url: URL, database: str | None = None) -> dict[str, str]:
    """The libpq variables for ``url``: the password never appears on a command line."""
    env = {
        "PGHOST": url.host or "localhost",
        "PGPORT": str(url.port or 5432),
        "PGDATABASE": database or url.database or "",
        "PGCONNECT_TIMEOUT": "10",
        "PGAPPNAME": "kafaat-backup",
    }
    if url.username:
        env["PGUSER"] = url.username
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    ssl = url.query.get("sslmode") or url.query.get("ssl")
    if isinstance(ssl, str):
        # asyncpg's ssl=require|verify-full|... are libpq's sslmode names; true means require.
        env["PGSSLMODE"] = "require" if ssl.lower() in ("true", "1") else ssl
    return env


def _run(argv: list[str], url: URL, database: str | None = None) -> None:
    environment = {**os.environ, **libpq_environment(url, database)}
    result = subprocess.run(argv, env=environment, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} failed: {result.stderr.strip()}")


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _sqlite_copy(source: Path, destination: Path) -> None:
    with sqlite3.connect(source) as origin, sqlite3.connect(destination) as copy:
        origin.backup(copy)
    origin.close()
    copy.close()


async def _revisions(url: URL) -> list[str]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
            return sorted(row[0] for row in rows)
    except (ProgrammingError, DBAPIError) as exc:
        if "alembic_version" in str(exc):
            return []
        raise
    finally:
        await engine.dispose()


def revisions(url: URL) -> list[str]:
    """The Alembic revision(s) the database is at (none before its first migration)."""
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(_sqlite_path(url)) as connection:
            try:
                rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
            except sqlite3.OperationalError:
                rows = []
        connection.close()
        return sorted(row[0] for row in rows)
    return asyncio.run(_revisions(url))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def backup(targets: Sequence[Target], directory: Path) -> dict[str, Any]:
    """Write one file per target and the manifest into ``directory``; return the manifest."""
    directory.mkdir(parents=True, exist_ok=True)
    entries: dict[str, Any] = {}
    with progress("backing up", len(targets), unit="databases") as advance:
        for item in targets:
            entries[item.name] = _backup_one(item, directory)
            advance(1)
    manifest = {
        "format": FORMAT_VERSION,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "databases": entries,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def _backup_one(item: Target, directory: Path) -> dict[str, Any]:
    """Dump one database into ``directory``; its manifest entry."""
    path = directory / item.file_name
    path.unlink(missing_ok=True)
    if item.is_sqlite:
        source = _sqlite_path(item.url)
        if not source.exists():
            raise BackupError(f"{item.name}: no database at {source}")
        _sqlite_copy(source, path)
    else:
        _run([_tool("pg_dump"), "--format=custom", "--compress=6", f"--file={path}"], item.url)
    return {
        "file": item.file_name,
        "kind": "sqlite" if item.is_sqlite else "postgresql-custom",
        "alembic_revisions": revisions(item.url),
        "sha256": _sha256(path),
        "bytes": path.stat().st_size,
    }


def read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    if not path.is_file():
        raise BackupError(f"no {MANIFEST} in {directory}: not a Kafaat backup")
    manifest: dict[str, Any] = json.loads(path.read_text())
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"{path}: unknown backup format {manifest.get('format')!r}")
    return manifest


def _known_revisions(item: Target) -> set[str]:
    scripts = ScriptDirectory.from_config(alembic_config(item.process.root, "sqlite://"))
    return {script.revision for script in scripts.walk_revisions()}


def check(targets: Sequence[Target], directory: Path) -> dict[str, Any]:
    """Everything a restore needs, verified before any database is touched."""
    manifest = read_manifest(directory)
    for item in targets:
        entry = manifest["databases"].get(item.name)
        if entry is None:
            raise BackupError(f"the backup in {directory} has no {item.name} database")
        expected_kind = "sqlite" if item.is_sqlite else "postgresql-custom"
        if entry["kind"] != expected_kind:
            raise BackupError(
                f"{item.name}: the backup is a {entry['kind']} one, the database is not"
            )
        path = directory / entry["file"]
        if not path.is_file() or _sha256(path) != entry["sha256"]:
            raise BackupError(f"{path} is missing or damaged (its SHA-256 differs)")
        unknown = set(entry["alembic_revisions"]) - _known_revisions(item)
        if unknown:
            raise BackupError(
                f"{item.name}: the backup is at revision {', '.join(sorted(unknown))}, which this "
                "version of Kafaat does not know: restore it with the version that made it"
            )
    return manifest


async def _create_database_if_missing(url: URL) -> None:
    name = url.database
    maintenance = create_async_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with maintenance.connect() as connection:
            exists = await connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not exists:
                quoted = connection.dialect.identifier_preparer.quote(str(name))
                await connection.execute(text(f"CREATE DATABASE {quoted}"))
    except DBAPIError as exc:
        raise BackupError(
            f"database {name} does not exist and could not be created ({exc.orig}): create it "
            "(deploy/postgres/init-databases.sh, or your operator), then restore again"
        ) from exc
    finally:
        await maintenance.dispose()


def restore(targets: Sequence[Target], directory: Path) -> dict[str, list[str]]:
    """Replace each target database's content with the backup's; return the revisions."""
    manifest = check(targets, directory)
    restored: dict[str, list[str]] = {}
    total = sum(manifest["databases"][item.name]["bytes"] for item in targets)
    with progress("restoring", total, unit="bytes") as advance:
        for item in targets:
            restored[item.name] = _restore_one(item, directory, manifest["databases"][item.name])
            advance(manifest["databases"][item.name]["bytes"])
    return restored


def _restore_one(item: Target, directory: Path, entry: dict[str, Any]) -> list[str]:
    """Replace one database's content with its file in the backup; its revisions after."""
    path = directory / entry["file"]
    if item.is_sqlite:
        destination = _sqlite_path(item.url)
        destination.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(path, destination)
    else:
        asyncio.run(_create_database_if_missing(item.url))
        _run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={item.url.database}",
                str(path),
            ],
            item.url,
        )
    restored = revisions(item.url)
    if restored != entry["alembic_revisions"]:
        raise BackupError(
            f"{item.name}: restored at revision {restored}, "
            f"the backup says {entry['alembic_revisions']}"
        )
    return restored
