"""The job store: each job claimed once however many workers, leases, resume, fencing, giving up."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shared.db import create_engine, create_sessionmaker, make_metadata
from shared.jobs import (
    Job,
    JobContext,
    JobFailed,
    JobKind,
    JobState,
    JobStore,
    LeaseLost,
    Worker,
    job_tables,
)

metadata = make_metadata()
store = JobStore(job_tables(metadata))


@pytest.fixture
async def sessionmaker(scratch_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    async with scratch_engine.begin() as connection:
        await connection.run_sync(metadata.drop_all)
        await connection.run_sync(metadata.create_all)
    return create_sessionmaker(scratch_engine)


async def queue(
    sessionmaker: async_sessionmaker[AsyncSession], count: int, **payload: Any
) -> list[UUID]:
    async with sessionmaker() as db:
        ids = [
            await store.enqueue(db, kind="test", owner="user-1", payload={"n": n, **payload})
            for n in range(count)
        ]
        await db.commit()
    return ids


async def get(sessionmaker: async_sessionmaker[AsyncSession], job_id: Any) -> Any:
    async with sessionmaker() as db:
        job = await store.get(db, job_id)
    assert job is not None
    return job


async def until_finished(
    sessionmaker: async_sessionmaker[AsyncSession], ids: list[UUID], seconds: float = 30.0
) -> list[Job]:
    jobs = []
    for job_id in ids:
        job = await store.wait(sessionmaker, job_id, seconds, interval=0.05)
        assert job is not None
        assert job.finished, job
        jobs.append(job)
    return jobs


@pytest.fixture
async def engines(scratch_engine: AsyncEngine) -> AsyncIterator[list[AsyncEngine]]:
    """Four engines on the same database: four workers as four processes would have."""
    url = scratch_engine.url.render_as_string(hide_password=False)
    engines = [create_engine(url) for _ in range(4)]
    yield engines
    for engine in engines:
        await engine.dispose()


async def test_each_job_runs_exactly_once_with_several_workers(
    sessionmaker: async_sessionmaker[AsyncSession], engines: list[AsyncEngine]
) -> None:
    ran: list[tuple[int, str]] = []

    async def run(context: JobContext) -> dict[str, int]:
        ran.append((context.job.payload["n"], context.worker))
        await asyncio.sleep(0.02)
        return {"double": context.job.payload["n"] * 2}

    ids = await queue(sessionmaker, 40)
    workers = [
        Worker(
            create_sessionmaker(engine),
            store,
            [JobKind("test", run)],
            concurrency=2,
            poll_seconds=0.01,
        )
        for engine in engines
    ]
    async with contextlib_group(workers):
        jobs = await until_finished(sessionmaker, ids)
    assert Counter(n for n, _ in ran) == Counter(range(40))
    assert [job.result for job in jobs] == [{"double": n * 2} for n in range(40)]
    assert {job.state for job in jobs} == {JobState.SUCCEEDED}
    assert {job.attempts for job in jobs} == {1}
    # The work was shared, not done by one worker while the others watched.
    assert len({worker for _, worker in ran}) > 1


class contextlib_group:
    """Enter several workers at once."""

    def __init__(self, workers: list[Worker]) -> None:
        self.workers = workers

    async def __aenter__(self) -> None:
        for worker in self.workers:
            await worker.__aenter__()

    async def __aexit__(self, *exc: object) -> None:
        for worker in self.workers:
            await worker.stop()


async def test_concurrent_claims_never_take_the_same_job(
    sessionmaker: async_sessionmaker[AsyncSession], engines: list[AsyncEngine]
) -> None:
    ids = await queue(sessionmaker, 12)

    async def claim_all(engine: AsyncEngine, name: str) -> list[UUID]:
        taken: list[UUID] = []
        while True:
            async with create_sessionmaker(engine)() as db:
                job = await store.claim(db, name, ["test"], timedelta(minutes=1))
            if job is None:
                return taken
            taken.append(job.id)

    results = await asyncio.gather(
        *(claim_all(engine, f"w{n}") for n, engine in enumerate(engines))
    )
    claimed = [job_id for taken in results for job_id in taken]
    assert sorted(claimed) == sorted(ids)


async def test_an_expired_lease_is_claimed_again_with_its_checkpoint(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    (job_id,) = await queue(sessionmaker, 1)
    async with sessionmaker() as db:
        first = await store.claim(db, "dead", ["test"], timedelta(seconds=0.2))
        assert first is not None
        assert first.attempts == 1
        assert await store.renew(db, job_id, "dead", timedelta(seconds=0.2), checkpoint={"done": 5})
        await db.commit()
        # Held: nobody else gets it while the lease runs.
        assert await store.claim(db, "other", ["test"], timedelta(minutes=1)) is None
    await asyncio.sleep(0.3)
    async with sessionmaker() as db:
        again = await store.claim(db, "other", ["test"], timedelta(minutes=1))
        assert again is not None
        assert (again.id, again.attempts, again.checkpoint) == (job_id, 2, {"done": 5})
        assert again.started_at == first.started_at
        # The dead worker's late writes are refused (fencing).
        assert not await store.renew(db, job_id, "dead", timedelta(minutes=1))
        assert not await store.finish(db, job_id, "dead", JobState.SUCCEEDED)
        await db.commit()
    assert (await get(sessionmaker, job_id)).worker == "other"


async def test_a_resumed_handler_sees_its_checkpoint_and_a_lost_lease_cannot_commit(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    (job_id,) = await queue(sessionmaker, 1)
    seen: list[Any] = []

    async def run(context: JobContext) -> str:
        seen.append(context.job.checkpoint)
        async with context.sessionmaker() as db:
            await context.commit_point(db, checkpoint={"step": 1})
            await db.commit()
        return "done"

    async with sessionmaker() as db:
        crashed = await store.claim(db, "dead", ["test"], timedelta(seconds=0.1))
    assert crashed is not None
    context = JobContext(crashed, sessionmaker, store, "dead", timedelta(seconds=0.1))
    async with sessionmaker() as db:
        await context.commit_point(db, checkpoint={"step": 0})
        await db.commit()
    await asyncio.sleep(0.2)
    async with Worker(sessionmaker, store, [JobKind("test", run)], poll_seconds=0.05):
        (job,) = await until_finished(sessionmaker, [job_id])
    assert seen == [{"step": 0}]
    assert (job.state, job.result, job.attempts, job.checkpoint) == (
        JobState.SUCCEEDED,
        "done",
        2,
        {"step": 1},
    )
    # The first worker comes back to life: its commit point is refused.
    async with sessionmaker() as db:
        with pytest.raises(LeaseLost):
            await context.commit_point(db, checkpoint={"step": 9})
        await db.rollback()
    assert (await get(sessionmaker, job_id)).checkpoint == {"step": 1}


async def test_a_job_interrupted_too_often_is_failed_with_what_it_says(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    (job_id,) = await queue(sessionmaker, 1)
    for _ in range(2):
        async with sessionmaker() as db:
            assert await store.claim(db, "dead", ["test"], timedelta(seconds=0.05))
        await asyncio.sleep(0.1)

    async def never(context: JobContext) -> None:
        raise AssertionError("a job given up is not run again")

    kind = JobKind("test", never, lambda job: f"stopped {job.attempts - 1} times; 40 rows kept")
    async with Worker(sessionmaker, store, [kind], poll_seconds=0.05, max_attempts=2):
        (job,) = await until_finished(sessionmaker, [job_id])
    assert (job.state, job.error) == (JobState.FAILED, "stopped 2 times; 40 rows kept")
    assert job.worker is None


async def test_failures_are_recorded_and_the_input_dropped(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    ids = await queue(sessionmaker, 2)
    async with sessionmaker() as db:
        for job_id in ids:
            await store.add_input(db, job_id, 0, b"first ")
            await store.add_input(db, job_id, 1, b"second")
        await db.commit()
    read: list[bytes] = []

    async def run(context: JobContext) -> None:
        async for chunk in store.input_chunks(context.sessionmaker, context.job.id):
            read.append(chunk)
        if context.job.payload["n"] == 0:
            raise JobFailed("the file says no", {"rows": 3})
        raise RuntimeError("a bug")

    async with Worker(sessionmaker, store, [JobKind("test", run)], poll_seconds=0.05):
        refused, crashed = await until_finished(sessionmaker, ids)
    assert read == [b"first ", b"second"] * 2
    assert (refused.state, refused.error, refused.result) == (
        JobState.FAILED,
        "the file says no",
        {"rows": 3},
    )
    assert crashed.state is JobState.FAILED
    assert crashed.error == "The job stopped on an internal error (logged by the service)."
    chunks = [chunk async for chunk in store.input_chunks(sessionmaker, ids[0])]
    assert chunks == []


async def test_a_stopping_worker_hands_its_job_back(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    (job_id,) = await queue(sessionmaker, 1)
    started = asyncio.Event()

    async def slow(context: JobContext) -> str:
        started.set()
        await asyncio.sleep(60)
        return "never"

    async def quick(context: JobContext) -> str:
        return "finished elsewhere"

    worker = Worker(sessionmaker, store, [JobKind("test", slow)], poll_seconds=0.05)
    async with worker:
        await asyncio.wait_for(started.wait(), 10)
    handed_back = await get(sessionmaker, job_id)
    assert (handed_back.state, handed_back.worker) == (JobState.QUEUED, None)
    async with Worker(sessionmaker, store, [JobKind("test", quick)], poll_seconds=0.05):
        (job,) = await until_finished(sessionmaker, [job_id])
    assert (job.result, job.attempts) == ("finished elsewhere", 2)


async def test_the_heartbeat_keeps_a_long_job_and_writes_its_progress(
    sessionmaker: async_sessionmaker[AsyncSession], engines: list[AsyncEngine]
) -> None:
    (job_id,) = await queue(sessionmaker, 1)
    ran: list[str] = []

    async def long(context: JobContext) -> str:
        ran.append(context.worker)
        for step in range(8):
            context.progress["step"] = step
            await asyncio.sleep(0.1)
        return "ok"

    seen: list[int] = []
    kind = JobKind("test", long)
    # The first runs only the job it is told to (no loop of its own).
    first = Worker(
        sessionmaker, store, [kind], concurrency=0, lease_seconds=0.3, heartbeat_seconds=0.05
    )
    # A second worker polls throughout: it never gets the job while the lease is renewed.
    second = Worker(
        create_sessionmaker(engines[0]),
        store,
        [kind],
        lease_seconds=0.3,
        heartbeat_seconds=0.05,
        poll_seconds=0.02,
    )
    async with first:
        assert await first.run_next()
        async with second:
            while not (job := await get(sessionmaker, job_id)).finished:
                seen.append(job.progress.get("step", -1))
                await asyncio.sleep(0.05)
    assert job.state is JobState.SUCCEEDED
    assert len(ran) == 1
    assert max(seen) >= 4
    assert job.progress["step"] == 7
