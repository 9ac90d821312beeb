"""Durable jobs in the service's own database: work longer than a request, run exactly once.

A job is a row of the service's ``job`` table (:func:`job_tables` maps it, and its input, on the
service's metadata; the service's migration creates them). Any replica can run any job: its
input is stored in the database too (``job_input``, in chunks), never on a local disk.

- **Claim**: one conditional ``UPDATE … WHERE id = (SELECT … LIMIT 1 FOR UPDATE SKIP LOCKED)
  RETURNING``. On PostgreSQL the row lock makes concurrent workers skip each other's pick; on
  SQLite the statement is atomic because SQLite has one writer at a time (and no ``FOR UPDATE``,
  which SQLAlchemy leaves out there). Either way one worker wins each job.
- **Lease**: a claimed job is ``running`` until ``lease_expires_at``; the worker renews it by a
  heartbeat (which also writes the job's progress). A worker that stops — killed, crashed, its
  machine gone — stops renewing, and once the lease expires the job is claimable again: it is
  resumed from its last checkpoint (``attempts`` counts the tries). After ``max_attempts`` tries
  it is failed with what the job kind says about the work already written. So no job stays
  ``running`` after its worker is gone.
- **Fencing**: a handler writes its checkpoint (and, on its last transaction, its result) with
  :meth:`JobContext.commit_point` *inside its own transaction*, conditioned on still holding the
  lease: data and checkpoint commit together, and a worker that lost its lease cannot commit.
- **Worker**: :class:`Worker` runs in the service's lifespan, claims up to ``concurrency`` jobs
  at a time, polls every ``poll_seconds`` (and wakes at once for a job queued by its own
  process), and on shutdown hands its jobs back (``queued``) for another worker to resume.

Why not a library: the platform runs on PostgreSQL in production and on SQLite as its embedded
default, through async SQLAlchemy. Checked on 2026-12-01: procrastinate and pgqueuer are
PostgreSQL-only, saq needs Redis or PostgreSQL, arq Redis, dramatiq Redis or RabbitMQ; huey has a
SQLite and a PostgreSQL store but a synchronous consumer of its own and no lease (a task taken by a
worker that dies is lost); taskiq-sqlalchemy (0.1.x) is a polling broker without leases or
progress, not tested on asyncpg. None serves both databases with the guarantees above, so this
module keeps them, on tables each service migrates like its others.

Times are the workers' clocks (UTC): replicas are expected to keep NTP time, which the lease
(tens of seconds) tolerates by far.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, NamedTuple

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Row,
    String,
    Table,
    Text,
    Uuid,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db import UTCDateTime, utcnow

logger = logging.getLogger("kafaat.jobs")


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


FINISHED = frozenset({JobState.SUCCEEDED, JobState.FAILED})


class JobTables(NamedTuple):
    job: Table
    job_input: Table


def job_tables(metadata: MetaData) -> JobTables:
    """The ``job`` and ``job_input`` tables on a service's metadata."""
    job = Table(
        "job",
        metadata,
        Column("id", Uuid, primary_key=True),
        Column("kind", String(64), nullable=False),
        # The subject of the caller who queued it.
        Column("owner", String(255), nullable=False),
        Column("state", String(16), nullable=False),
        Column("payload", JSON, nullable=False),
        Column("progress", JSON, nullable=True),
        Column("checkpoint", JSON, nullable=True),
        Column("result", JSON, nullable=True),
        Column("error", Text, nullable=True),
        Column("attempts", Integer, nullable=False),
        Column("worker", String(64), nullable=True),
        Column("lease_expires_at", UTCDateTime, nullable=True),
        Column("created_at", UTCDateTime, nullable=False),
        Column("updated_at", UTCDateTime, nullable=False),
        Column("started_at", UTCDateTime, nullable=True),
        Column("finished_at", UTCDateTime, nullable=True),
        Index("ix_job_state_created_at", "state", "created_at"),
    )
    job_input = Table(
        "job_input",
        metadata,
        Column("job_id", Uuid, ForeignKey("job.id", ondelete="CASCADE"), primary_key=True),
        Column("seq", Integer, primary_key=True, autoincrement=False),
        Column("data", LargeBinary, nullable=False),
    )
    return JobTables(job, job_input)


@dataclass(frozen=True)
class Job:
    id: uuid.UUID
    kind: str
    owner: str
    state: JobState
    payload: dict[str, Any]
    progress: dict[str, Any]
    checkpoint: dict[str, Any] | None
    result: Any
    error: str | None
    attempts: int
    worker: str | None
    lease_expires_at: datetime | None
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    @classmethod
    def of(cls, row: Row[Any]) -> Job:
        values = dict(row._mapping)
        values["state"] = JobState(values["state"])
        values["progress"] = values["progress"] or {}
        return cls(**values)


class LeaseLost(Exception):
    """The job's lease expired and another worker may hold it: this worker must not write."""


def _changed(result: Any) -> bool:
    return bool(result.rowcount)


class JobStore:
    """Every query on the job tables."""

    def __init__(self, tables: JobTables) -> None:
        self.job = tables.job
        self.job_input = tables.job_input

    async def enqueue(
        self,
        db: AsyncSession,
        *,
        kind: str,
        owner: str,
        payload: Mapping[str, Any],
        job_id: uuid.UUID | None = None,
    ) -> uuid.UUID:
        """Queue a job in the caller's transaction: claimable once that commits."""
        job_id = job_id or uuid.uuid4()
        now = utcnow()
        await db.execute(
            insert(self.job).values(
                id=job_id,
                kind=kind,
                owner=owner,
                state=JobState.QUEUED.value,
                payload=dict(payload),
                progress={},
                attempts=0,
                created_at=now,
                updated_at=now,
            )
        )
        return job_id

    async def add_input(self, db: AsyncSession, job_id: uuid.UUID, seq: int, data: bytes) -> None:
        await db.execute(insert(self.job_input).values(job_id=job_id, seq=seq, data=data))

    async def input_chunks(
        self, sessionmaker: async_sessionmaker[AsyncSession], job_id: uuid.UUID
    ) -> AsyncIterator[bytes]:
        """The job's input, chunk by chunk, each read by a short query of its own: one chunk
        in memory at a time, and no transaction held open between them."""
        seq = 0
        statement = select(self.job_input.c.data).where(self.job_input.c.job_id == job_id)
        while True:
            async with sessionmaker() as db:
                data = await db.scalar(statement.where(self.job_input.c.seq == seq))
            if data is None:
                return
            yield bytes(data)
            seq += 1

    async def get(self, db: AsyncSession, job_id: uuid.UUID) -> Job | None:
        row = (await db.execute(select(self.job).where(self.job.c.id == job_id))).one_or_none()
        return Job.of(row) if row is not None else None

    def _claimable(self, now: datetime) -> Any:
        return or_(
            self.job.c.state == JobState.QUEUED.value,
            and_(
                self.job.c.state == JobState.RUNNING.value,
                self.job.c.lease_expires_at < now,
            ),
        )

    async def claim(
        self, db: AsyncSession, worker: str, kinds: Iterable[str], lease: timedelta
    ) -> Job | None:
        """Take the oldest claimable job of ``kinds`` (queued, or running with an expired lease)
        for ``worker``, in one statement; None when there is none. Commits."""
        now = utcnow()
        claimable = self._claimable(now)
        pick = (
            select(self.job.c.id)
            .where(claimable, self.job.c.kind.in_(sorted(kinds)))
            .order_by(self.job.c.created_at, self.job.c.id)
            .limit(1)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        statement = (
            update(self.job)
            .where(self.job.c.id == pick, claimable)
            .values(
                state=JobState.RUNNING.value,
                worker=worker,
                lease_expires_at=now + lease,
                attempts=self.job.c.attempts + 1,
                updated_at=now,
                started_at=func.coalesce(self.job.c.started_at, now),
            )
            .returning(*self.job.c)
        )
        row = (await db.execute(statement)).one_or_none()
        await db.commit()
        return Job.of(row) if row is not None else None

    def _held(self, job_id: uuid.UUID, worker: str) -> Any:
        return and_(
            self.job.c.id == job_id,
            self.job.c.worker == worker,
            self.job.c.state == JobState.RUNNING.value,
        )

    async def renew(
        self,
        db: AsyncSession,
        job_id: uuid.UUID,
        worker: str,
        lease: timedelta,
        *,
        progress: Mapping[str, Any] | None = None,
        checkpoint: Mapping[str, Any] | None = None,
    ) -> bool:
        """Extend the lease (and write progress, checkpoint) if ``worker`` still holds it, in
        the caller's transaction."""
        now = utcnow()
        values: dict[str, Any] = {"lease_expires_at": now + lease, "updated_at": now}
        if progress is not None:
            values["progress"] = dict(progress)
        if checkpoint is not None:
            values["checkpoint"] = dict(checkpoint)
        result = await db.execute(
            update(self.job).where(self._held(job_id, worker)).values(**values)
        )
        return _changed(result)

    async def finish(
        self,
        db: AsyncSession,
        job_id: uuid.UUID,
        worker: str | None,
        state: JobState,
        *,
        result: Any = None,
        error: str | None = None,
        progress: Mapping[str, Any] | None = None,
    ) -> bool:
        """Mark the job finished (if ``worker`` holds it; any running holder when None) and drop
        its input, in the caller's transaction."""
        now = utcnow()
        values: dict[str, Any] = {
            "state": state.value,
            "result": result,
            "error": error,
            "worker": None,
            "lease_expires_at": None,
            "updated_at": now,
            "finished_at": now,
        }
        if progress is not None:
            values["progress"] = dict(progress)
        held = (
            self._held(job_id, worker)
            if worker is not None
            else and_(self.job.c.id == job_id, self.job.c.state == JobState.RUNNING.value)
        )
        changed = _changed(await db.execute(update(self.job).where(held).values(**values)))
        if changed:
            await db.execute(delete(self.job_input).where(self.job_input.c.job_id == job_id))
        return changed

    async def release(self, db: AsyncSession, job_id: uuid.UUID, worker: str) -> bool:
        """Hand a running job back to the queue (a worker shutting down), keeping its
        checkpoint."""
        result = await db.execute(
            update(self.job)
            .where(self._held(job_id, worker))
            .values(
                state=JobState.QUEUED.value,
                worker=None,
                lease_expires_at=None,
                updated_at=utcnow(),
            )
        )
        return _changed(result)

    async def wait(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        job_id: uuid.UUID,
        seconds: float,
        interval: float = 0.2,
    ) -> Job | None:
        """The job once finished, or as it is after ``seconds`` (polled: whichever replica
        runs it)."""
        deadline = asyncio.get_running_loop().time() + seconds
        while True:
            async with sessionmaker() as db:
                job = await self.get(db, job_id)
            remaining = deadline - asyncio.get_running_loop().time()
            if job is None or job.finished or remaining <= 0:
                return job
            await asyncio.sleep(min(interval, remaining))


class JobFailed(Exception):
    """Raised by a handler: the job fails with this message (and an optional result), the
    same on a retry."""

    def __init__(self, message: str, result: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.result = result


@dataclass
class JobContext:
    """What a handler gets: its job, the database, and where to report progress."""

    job: Job
    sessionmaker: async_sessionmaker[AsyncSession]
    store: JobStore
    worker: str
    lease: timedelta
    progress: dict[str, Any] = field(default_factory=dict)
    finished: bool = False

    async def commit_point(
        self,
        db: AsyncSession,
        *,
        checkpoint: Mapping[str, Any] | None = None,
        result: Any = None,
        done: bool = False,
    ) -> None:
        """In the handler's transaction, before it commits: record ``checkpoint`` (and the
        progress), or with ``done`` finish the job with ``result``, provided this worker still
        holds the lease; otherwise :class:`LeaseLost` (the handler's transaction must then roll
        back). The handler's data and the job's record so commit together."""
        if done:
            held = await self.store.finish(
                db,
                self.job.id,
                self.worker,
                JobState.SUCCEEDED,
                result=result,
                progress=self.progress,
            )
        else:
            held = await self.store.renew(
                db,
                self.job.id,
                self.worker,
                self.lease,
                progress=self.progress,
                checkpoint=checkpoint,
            )
        if not held:
            raise LeaseLost(str(self.job.id))
        if done:
            self.finished = True


Handler = Callable[[JobContext], Coroutine[Any, Any, Any]]


@dataclass(frozen=True)
class JobKind:
    """A kind of job: how to run it, and what to say when it was interrupted too often (its
    checkpoint tells what was written)."""

    name: str
    run: Handler
    interrupted: Callable[[Job], str] = lambda job: (
        f"The job was interrupted {job.attempts - 1} times (the service stopped) and given up."
    )


class Worker:
    """Runs the jobs of ``kinds`` from ``store``: ``async with Worker(...):`` in a lifespan."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        store: JobStore,
        kinds: Iterable[JobKind],
        *,
        concurrency: int = 1,
        lease_seconds: float = 20.0,
        heartbeat_seconds: float = 2.0,
        poll_seconds: float = 1.0,
        max_attempts: int = 3,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.store = store
        self.kinds = {kind.name: kind for kind in kinds}
        self.concurrency = concurrency
        self.lease = timedelta(seconds=lease_seconds)
        self.heartbeat_seconds = heartbeat_seconds
        self.poll_seconds = poll_seconds
        self.max_attempts = max_attempts
        self.id = f"{uuid.uuid4().hex[:12]}"
        self.running: dict[uuid.UUID, asyncio.Task[None]] = {}
        self._wake = asyncio.Event()
        self._loop: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Worker:
        if self.concurrency > 0:
            self._loop = asyncio.create_task(self._run(), name=f"jobs-{self.id}")
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def wake(self) -> None:
        """A job was queued: look now rather than at the next poll."""
        self._wake.set()

    async def stop(self) -> None:
        """Stop claiming, stop the jobs in progress and hand them back to the queue."""
        if self._loop is not None:
            self._loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop
            self._loop = None
        tasks = list(self.running.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            claimed = False
            if len(self.running) < self.concurrency:
                try:
                    claimed = await self.run_next()
                except Exception:
                    # A database that is away, or SQLite's lock held by a long write: try later.
                    logger.warning("could not claim a job", exc_info=True)
            if not claimed or len(self.running) >= self.concurrency:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_seconds)

    async def run_next(self) -> bool:
        """Claim one job and start it in the background; False when none is claimable."""
        async with self.sessionmaker() as db:
            job = await self.store.claim(db, self.id, self.kinds, self.lease)
        if job is None:
            return False
        task = asyncio.create_task(self._execute(job), name=f"job-{job.id}")
        self.running[job.id] = task
        task.add_done_callback(lambda _: self._done(job.id))
        return True

    def _done(self, job_id: uuid.UUID) -> None:
        self.running.pop(job_id, None)
        self._wake.set()

    async def _finish(self, job: Job, state: JobState, **values: Any) -> None:
        async with self.sessionmaker() as db:
            await self.store.finish(db, job.id, self.id, state, **values)
            await db.commit()

    async def _execute(self, job: Job) -> None:
        kind = self.kinds[job.kind]
        if job.attempts > self.max_attempts:
            await self._finish(job, JobState.FAILED, error=kind.interrupted(job))
            return
        context = JobContext(
            job=job,
            sessionmaker=self.sessionmaker,
            store=self.store,
            worker=self.id,
            lease=self.lease,
            progress=dict(job.progress),
        )
        handler = asyncio.create_task(kind.run(context))
        stop_heartbeat = asyncio.Event()
        heartbeat = asyncio.create_task(self._heartbeat(context, handler, stop_heartbeat))
        try:
            result = await handler
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                # The worker is stopping (the handler is cancelled with it): hand the job back
                # for another worker to resume.
                if not context.finished:
                    await self._release(job)
                raise
            # The heartbeat cancelled the handler: the lease is lost.
            logger.warning("job %s lost its lease; another worker resumes it", job.id)
            return
        except LeaseLost:
            logger.warning("job %s lost its lease; another worker resumes it", job.id)
            return
        except JobFailed as failure:
            if not context.finished:
                await self._finish(
                    job,
                    JobState.FAILED,
                    error=failure.message,
                    result=failure.result,
                    progress=context.progress,
                )
            return
        except Exception:
            logger.exception("job %s failed", job.id)
            await self._finish(
                job,
                JobState.FAILED,
                error="The job stopped on an internal error (logged by the service).",
                progress=context.progress,
            )
            return
        finally:
            stop_heartbeat.set()
            await asyncio.gather(heartbeat, return_exceptions=True)
        if not context.finished:
            await self._finish(job, JobState.SUCCEEDED, result=result, progress=context.progress)

    async def _release(self, job: Job) -> None:
        with contextlib.suppress(Exception):
            async with self.sessionmaker() as db:
                await self.store.release(db, job.id, self.id)
                await db.commit()

    async def _heartbeat(
        self, context: JobContext, handler: asyncio.Task[Any], stop: asyncio.Event
    ) -> None:
        """Renew the lease and write the progress every ``heartbeat_seconds``; cancel the
        handler if the lease was lost (another worker holds the job now)."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.heartbeat_seconds)
            if stop.is_set():
                return
            try:
                async with self.sessionmaker() as db:
                    held = await self.store.renew(
                        db, context.job.id, self.id, self.lease, progress=context.progress
                    )
                    await db.commit()
            except Exception:
                # SQLite: the handler's own write transaction holds the database; its commit
                # points renew the lease instead.
                logger.debug("heartbeat of job %s skipped", context.job.id, exc_info=True)
                continue
            if not held and not context.finished and not stop.is_set():
                handler.cancel()
                return


__all__ = [
    "FINISHED",
    "Job",
    "JobContext",
    "JobFailed",
    "JobKind",
    "JobState",
    "JobStore",
    "JobTables",
    "LeaseLost",
    "Worker",
    "job_tables",
]
