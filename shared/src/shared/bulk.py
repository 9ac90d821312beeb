"""Set-based reads and writes of many rows, for bulk imports and derived columns.

On PostgreSQL rows go through the driver in one round trip — ``COPY`` to insert, an ``UPDATE …
FROM unnest(arrays)`` to update — which is several times faster than a statement per row and
checks the same constraints. SQLite gets multi-row INSERTs and ``executemany`` UPDATEs.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, cast

import asyncpg
from sqlalchemy import ARRAY, ColumnElement, Table, any_, bindparam, insert, text, update
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

KEY = "id"


def among(session: AsyncSession, column: Any, values: Collection[Any]) -> ColumnElement[bool]:
    """``column IN values``; on PostgreSQL ``= ANY(array)``, one parameter however many values
    (an IN list of a thousand values costs more to build than to run)."""
    if session.get_bind().dialect.name == "postgresql":
        clause = column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    else:
        clause = column.in_(list(values))
    return cast(ColumnElement[bool], clause)


def _processors(
    table: Table, columns: Sequence[str], dialect: Dialect
) -> list[Callable[[Any], Any] | None]:
    """What SQLAlchemy does to a value of each column before handing it to the driver."""
    return [table.c[name].type.bind_processor(dialect) for name in columns]


def _driver_columns(
    table: Table, columns: Sequence[str], rows: Sequence[dict[str, Any]], dialect: Dialect
) -> list[list[Any]]:
    """The values of each column, ready for the driver."""
    processors = _processors(table, columns, dialect)
    return [
        [value if process is None or value is None else process(value) for value in values]
        for process, values in zip(
            processors, ([row[name] for row in rows] for name in columns), strict=True
        )
    ]


async def _driver(connection: AsyncConnection) -> Any:
    raw = await connection.get_raw_connection()
    return raw.driver_connection


async def insert_rows(
    session: AsyncSession,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    options: Mapping[str, Any] | None = None,
) -> None:
    """Insert rows that all have the same keys (``options``: the statement's execution
    options, where it is one)."""
    if not rows:
        return
    connection = await session.connection()
    if connection.dialect.name != "postgresql":
        await session.execute(insert(table).execution_options(**(options or {})), list(rows))
        return
    columns = list(rows[0])
    values = _driver_columns(table, columns, rows, connection.dialect)
    records = list(zip(*values, strict=True))
    driver = await _driver(connection)
    try:
        await driver.copy_records_to_table(table.name, records=records, columns=columns)
    except asyncpg.IntegrityConstraintViolationError as exc:
        raise IntegrityError(f"COPY {table.name}", None, exc) from exc


async def update_rows(session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Update rows by their ``id``; every dict has the same keys, ``id`` among them."""
    if not rows:
        return
    columns = [name for name in rows[0] if name != KEY]
    connection = await session.connection()
    if connection.dialect.name != "postgresql":
        statement = (
            update(table)
            .where(table.c[KEY] == bindparam("row_key"))
            .values({name: bindparam(f"new_{name}") for name in columns})
        )
        await session.execute(
            statement,
            [
                {"row_key": row[KEY], **{f"new_{name}": row[name] for name in columns}}
                for row in rows
            ],
        )
        return
    dialect = connection.dialect
    names = [KEY, *columns]
    arrays = _driver_columns(table, names, rows, dialect)
    types = [table.c[name].type.compile(dialect=dialect) for name in names]
    placeholders = ", ".join(f"${n}::{kind}[]" for n, kind in enumerate(types, start=1))
    assignments = ", ".join(f'"{name}" = v."{name}"' for name in columns)
    aliases = ", ".join(f'"{name}"' for name in names)
    sql = (
        f'UPDATE "{table.name}" AS t SET {assignments} '
        f"FROM unnest({placeholders}) AS v({aliases}) "
        f'WHERE t."{KEY}" = v."{KEY}"'
    )
    driver = await _driver(connection)
    try:
        await driver.execute(sql, *arrays)
    except asyncpg.IntegrityConstraintViolationError as exc:
        raise IntegrityError(f"UPDATE {table.name}", None, exc) from exc


async def refresh_statistics(session: AsyncSession, tables: Collection[Table]) -> None:
    """Let PostgreSQL's planner know how big these tables have become during a bulk load.

    Without it, a first import into empty tables looks up each batch's keys with sequential
    scans (the planner still believes the tables empty), so every batch costs more than the one
    before. ANALYZE inside the import's transaction counts its own new rows.
    """
    if tables and session.get_bind().dialect.name == "postgresql":
        names = ", ".join(table.name for table in tables)
        await session.execute(text(f"ANALYZE {names}"))
