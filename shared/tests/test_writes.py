"""Writing one record: a PATCH applied with If-Match, a concurrent change answered 412, a taken
unique value answered with the caller's 409, and the replay of an idempotent create."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from uuid import UUID, uuid4

import httpx2
import pytest
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Integer, String, Uuid, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.concurrency import IfMatch, with_etag
from shared.db import UTCDateTime, create_sessionmaker, make_metadata
from shared.idempotency import IdempotencyKey, IdempotencyStore, idempotency_table
from shared.problems import ProblemError, conflict, install_problem_handlers
from shared.testing import asgi_client
from shared.writes import apply_changes, flush_insert, flush_update


class Base(DeclarativeBase):
    metadata = make_metadata()


class Note(Base):
    __tablename__ = "note"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    title: Mapped[str] = mapped_column(String(50), unique=True)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __mapper_args__ = {"version_id_col": version}


store = IdempotencyStore(idempotency_table(Base.metadata))
EARLIER = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
async def sessionmaker(scratch_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    async with scratch_engine.begin() as connection:
        await connection.run_sync(Base.metadata.drop_all)
        await connection.run_sync(Base.metadata.create_all)
    return create_sessionmaker(scratch_engine)


async def _note(sessionmaker: async_sessionmaker[AsyncSession], title: str = "first") -> UUID:
    note_id = uuid4()
    async with sessionmaker() as db:
        db.add(Note(id=note_id, title=title, updated_at=EARLIER))
        await db.commit()
    return note_id


async def test_a_change_moves_version_and_time_an_unchanged_one_does_not(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    note_id = await _note(sessionmaker)
    async with sessionmaker() as db:
        note = await db.get(Note, note_id)
        assert note is not None
        assert not apply_changes(note, {"title": "first"}, '"1"')
        assert note.updated_at == EARLIER
        assert apply_changes(note, {"title": "second"}, '"1"')
        await flush_update(db)
        assert (note.version, note.title) == (2, "second")
        assert note.updated_at > EARLIER
        with pytest.raises(ProblemError) as stale:
            apply_changes(note, {"title": "third"}, '"1"')
        assert stale.value.status == 412


async def test_a_concurrent_change_answers_412(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    note_id = await _note(sessionmaker)
    async with sessionmaker() as db:
        note = await db.get(Note, note_id)
        assert note is not None
        async with sessionmaker() as other:
            await other.execute(update(Note).values(version=Note.version + 1))
            await other.commit()
        apply_changes(note, {"title": "mine"}, None)
        with pytest.raises(ProblemError) as stale:
            await flush_update(db)
        assert stale.value.status == 412
        assert stale.value.slug == "stale-version"


async def test_a_taken_unique_value_answers_the_callers_conflict(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _note(sessionmaker, "taken")
    async with sessionmaker() as db:
        db.add(Note(id=uuid4(), title="taken", updated_at=EARLIER))
        with pytest.raises(ProblemError) as taken:
            await flush_insert(
                db, lambda: conflict("taken", slug="title-taken", field="title", reason="used")
            )
    assert (taken.value.status, taken.value.slug) == (409, "title-taken")
    assert taken.value.errors is not None
    assert taken.value.errors[0].field == "body.title"


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str
    secret: str = "-"


class NoteOut(BaseModel):
    id: UUID
    title: str
    version: int


def _app(sessionmaker: async_sessionmaker[AsyncSession]) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    router = APIRouter()

    @router.post("/notes", status_code=201)
    async def create(data: NoteIn, request: Request, key: IdempotencyKey = None) -> JSONResponse:
        async with sessionmaker() as db:

            async def add() -> NoteOut:
                note = Note(id=uuid4(), title=data.title, updated_at=EARLIER)
                db.add(note)
                await db.flush()
                return NoteOut(id=note.id, title=note.title, version=note.version)

            response = await store.create_once(
                db,
                request,
                "user-1",
                key,
                data,
                add,
                secret_fields={"secret"},
                location=lambda body: f"/notes/{body['id']}",
            )
            await db.commit()
            return response

    @router.put("/notes/{note_id}")
    async def rename(note_id: UUID, data: NoteIn, if_match: IfMatch = None) -> JSONResponse:
        async with sessionmaker() as db:
            note = await db.get(Note, note_id)
            assert note is not None
            apply_changes(note, {"title": data.title}, if_match)
            await flush_update(db)
            await db.commit()
            return with_etag(NoteOut(id=note.id, title=note.title, version=note.version))

    app.include_router(router)
    return app


@pytest.fixture
async def client(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[httpx2.AsyncClient]:
    async with asgi_client(_app(sessionmaker)) as client:
        yield client


async def test_create_once_replays_the_first_answer(client: httpx2.AsyncClient) -> None:
    key = {"Idempotency-Key": "k-1"}
    first = await client.post("/notes", json={"title": "once", "secret": "a"}, headers=key)
    assert first.status_code == 201
    assert first.headers["etag"] == '"1"'
    assert first.headers["location"] == f"/notes/{first.json()['id']}"
    # The secret field is not part of what makes two requests the same.
    again = await client.post("/notes", json={"title": "once", "secret": "b"}, headers=key)
    assert (again.status_code, again.json()) == (201, first.json())
    assert again.headers["location"] == first.headers["location"]
    other = await client.post("/notes", json={"title": "other"}, headers=key)
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "header.idempotency-key"
    without_key = await client.post("/notes", json={"title": "twice"})
    assert without_key.status_code == 201
    assert without_key.json()["id"] != first.json()["id"]


async def test_a_stale_if_match_answers_412_and_a_fresh_one_the_new_etag(
    client: httpx2.AsyncClient,
) -> None:
    created = (await client.post("/notes", json={"title": "draft"})).json()
    url = f"/notes/{created['id']}"
    renamed = await client.put(url, json={"title": "final"}, headers={"If-Match": '"1"'})
    assert (renamed.status_code, renamed.headers["etag"]) == (200, '"2"')
    stale = await client.put(url, json={"title": "late"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    assert stale.headers["etag"] == '"2"'
