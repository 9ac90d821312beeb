"""Keyset pagination walks every row exactly once, in order, on both databases."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Integer, String, Uuid, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UTCDateTime, create_sessionmaker, make_metadata
from shared.pagination import PageParams, SortKey, decode_cursor, encode_cursor, paginate
from shared.problems import ProblemError


class Base(DeclarativeBase):
    metadata = make_metadata()


class Item(Base):
    __tablename__ = "pagination_item"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    title: Mapped[str] = mapped_column(String(50))
    rank: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


@pytest.fixture
async def session(scratch_engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with scratch_engine.begin() as connection:
        await connection.run_sync(Base.metadata.drop_all)
        await connection.run_sync(Base.metadata.create_all)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    async with create_sessionmaker(scratch_engine)() as session:
        # 45 rows with many ties on rank and on updated_at, so the id tie-breaker matters.
        session.add_all(
            Item(title=f"item {n:02d}", rank=n % 4, updated_at=start + timedelta(hours=n % 7))
            for n in range(45)
        )
        await session.commit()
        yield session


async def walk(session: AsyncSession, keys: list[SortKey], name: str, limit: int) -> list[Item]:
    seen: list[Item] = []
    cursor = None
    while True:
        rows, cursor = await paginate(
            session, select(Item), keys, PageParams(limit=limit, cursor=cursor), order_name=name
        )
        assert len(rows) <= limit
        seen.extend(rows)
        if cursor is None:
            return seen


async def test_ascending_walk_sees_every_row_once_in_order(session: AsyncSession) -> None:
    keys = [SortKey(Item.rank), SortKey(Item.id)]
    seen = await walk(session, keys, "rank", limit=10)
    assert len(seen) == 45
    assert len({item.id for item in seen}) == 45
    assert [(i.rank, i.id) for i in seen] == sorted((i.rank, i.id) for i in seen)


async def test_descending_datetime_walk(session: AsyncSession) -> None:
    keys = [SortKey(Item.updated_at, descending=True), SortKey(Item.id)]
    seen = await walk(session, keys, "updated", limit=7)
    assert len({item.id for item in seen}) == 45
    stamps = [item.updated_at for item in seen]
    assert stamps == sorted(stamps, reverse=True)
    assert all(stamp.tzinfo is not None for stamp in stamps)


async def test_last_page_has_no_cursor(session: AsyncSession) -> None:
    rows, cursor = await paginate(
        session, select(Item), [SortKey(Item.id)], PageParams(limit=200, cursor=None)
    )
    assert len(rows) == 45
    assert cursor is None


def test_cursor_round_trip_and_rejections() -> None:
    values = [datetime(2026, 5, 1, 12, tzinfo=UTC), uuid.UUID(int=7), "é", 3]
    cursor = encode_cursor("updated", values)
    assert decode_cursor(cursor, "updated", 4) == values
    with pytest.raises(ProblemError) as wrong_order:
        decode_cursor(cursor, "title", 4)
    assert wrong_order.value.status == 422
    assert wrong_order.value.errors is not None
    assert wrong_order.value.errors[0].field == "query.cursor"
    with pytest.raises(ProblemError):
        decode_cursor("not-a-cursor!!", "updated", 4)
