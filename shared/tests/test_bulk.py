"""Set-based writes and code-list columns behave alike on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import uuid4

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, Uuid, select, type_coerce
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from shared import bulk
from shared.columns import CodeList, contains_code
from shared.db import create_sessionmaker, make_metadata

metadata: MetaData = make_metadata()
item = Table(
    "item",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(50), unique=True, nullable=False),
    Column("stock", Integer, nullable=False),
    Column("codes", CodeList, nullable=False),
)


@pytest.fixture
async def db(scratch_engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with scratch_engine.begin() as connection:
        await connection.run_sync(metadata.drop_all)
        await connection.run_sync(metadata.create_all)
    async with create_sessionmaker(scratch_engine)() as session:
        yield session


def _row(name: str, stock: int, codes: list[str]) -> dict[str, object]:
    return {"id": uuid4(), "name": name, "stock": stock, "codes": codes}


async def _stock(db: AsyncSession) -> dict[str, tuple[int, list[str]]]:
    rows = (await db.execute(select(item.c.name, item.c.stock, item.c.codes))).all()
    return {row.name: (row.stock, row.codes) for row in rows}


async def test_rows_are_inserted_then_updated_by_id(db: AsyncSession) -> None:
    rows = [
        _row("pen", 3, ["a", "b"]),
        _row("ink", 0, []),
        _row("cap", 1, ["b"]),
        _row("nib", 2, ["bb"]),
    ]
    await bulk.insert_rows(db, item, rows)
    await bulk.update_rows(db, item, [{"id": rows[0]["id"], "stock": 4, "codes": ["c"]}])
    assert await _stock(db) == {
        "pen": (4, ["c"]),
        "ink": (0, []),
        "cap": (1, ["b"]),
        "nib": (2, ["bb"]),
    }
    among = bulk.among(db, item.c.id, [rows[1]["id"], rows[2]["id"]])
    found = set((await db.scalars(select(item.c.name).where(among))).all())
    assert found == {"ink", "cap"}
    holding_b = type_coerce(item.c.codes, String).like(contains_code("b"))
    # Compared as the stored text: an empty list holds nothing, "b" is not found inside "bb".
    assert set((await db.scalars(select(item.c.name).where(holding_b))).all()) == {"cap"}


async def test_a_broken_constraint_is_an_integrity_error(db: AsyncSession) -> None:
    await bulk.insert_rows(db, item, [_row("pen", 1, [])])
    with pytest.raises(IntegrityError):
        await bulk.insert_rows(db, item, [_row("pen", 2, [])])


async def test_a_code_with_a_comma_is_refused(db: AsyncSession) -> None:
    with pytest.raises(Exception, match="comma"):
        await bulk.insert_rows(db, item, [_row("pen", 1, ["a,b"])])
