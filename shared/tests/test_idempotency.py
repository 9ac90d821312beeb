"""Idempotency-Key records replay the first answer and refuse a different body."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from shared.db import create_sessionmaker, make_metadata
from shared.idempotency import IdempotencyStore, fingerprint, idempotency_table
from shared.problems import ProblemError

metadata = make_metadata()
store = IdempotencyStore(idempotency_table(metadata))


@pytest.fixture
async def session(scratch_engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with scratch_engine.begin() as connection:
        await connection.run_sync(metadata.drop_all)
        await connection.run_sync(metadata.create_all)
    async with create_sessionmaker(scratch_engine)() as session:
        yield session


async def test_replay_then_conflict(session: AsyncSession) -> None:
    first = fingerprint("POST", "/v1/offers", {"title": "Soudure"})
    assert await store.replay(session, "user-1", "key-1", first) is None
    await store.remember(session, "user-1", "key-1", first, 201, {"id": "abc"})
    await session.commit()

    replayed = await store.replay(session, "user-1", "key-1", first)
    assert replayed is not None
    assert (replayed.status_code, replayed.body) == (201, {"id": "abc"})

    other = fingerprint("POST", "/v1/offers", {"title": "Couture"})
    with pytest.raises(ProblemError) as reused:
        await store.replay(session, "user-1", "key-1", other)
    assert reused.value.status == 422

    # Keys belong to their caller: another subject starts fresh with the same key.
    assert await store.replay(session, "user-2", "key-1", first) is None


async def test_concurrent_twin_gets_409(session: AsyncSession, scratch_engine: AsyncEngine) -> None:
    body = fingerprint("POST", "/v1/offers", {"n": 1})
    await store.remember(session, "user-1", "twin", body, 201, {"id": 1})
    await session.commit()
    async with create_sessionmaker(scratch_engine)() as twin:
        with pytest.raises(ProblemError) as in_use:
            await store.remember(twin, "user-1", "twin", body, 201, {"id": 2})
        assert in_use.value.status == 409
