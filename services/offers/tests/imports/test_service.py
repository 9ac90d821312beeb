"""An import job interrupted mid-way (its worker gone) is resumed by another worker:
``keep_valid`` after its last committed batch, ``all_or_nothing`` from the start, never
half-applied; the report covers the whole file once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from offers.catalogue.models import Offer
from offers.exchange import pipeline
from offers.imports import service
from offers.imports.repository import store
from shared.db import create_sessionmaker
from shared.jobs import JobContext
from shared.testing import Keys, OpenApp

from ..helpers import Api
from .rows import PROVIDER_ROW, json_lines, offer_row

OFFERS = 450
BAD_AT = 20  # an offer with an unknown sector (line 22: the provider is line 1)
DUPLICATE_OF = 10  # offer O10 again, at the end of the file (line 453)


def offers_file(faulty: bool = True) -> bytes:
    rows = [PROVIDER_ROW]
    for n in range(OFFERS):
        rows.append(offer_row(n, sector="banking" if faulty and n == BAD_AT else "commerce"))
    if faulty:
        rows.append({**rows[DUPLICATE_OF + 1], "title_fr": "Doublon"})
    return json_lines(rows)


class Crash(Exception):
    """The worker's process dies here (before the transaction commits)."""


async def stored_offers(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(Offer)) or 0)


async def crash_after(engine: AsyncEngine, job_id: Any, commits: int) -> None:
    """Run the job as a worker that dies at its commit point number ``commits + 1``."""
    sessionmaker = create_sessionmaker(engine)
    async with sessionmaker() as db:
        job = await store.claim(db, "dead", [service.KIND], timedelta(seconds=0.3))
    assert job is not None
    assert job.id == job_id
    context = JobContext(job, sessionmaker, store, "dead", timedelta(seconds=0.3))
    original = context.commit_point
    done = 0

    async def dying(db: Any, **values: Any) -> None:
        nonlocal done
        if done == commits:
            raise Crash
        done += 1
        await original(db, **values)

    context.commit_point = dying  # type: ignore[method-assign]
    with pytest.raises(Crash):
        await service.run(context)
    await asyncio.sleep(0.4)  # its lease expires


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 100)


async def start(api: Api, mode: str, faulty: bool = True) -> str:
    response = await api.request(
        "POST",
        "/v1/offers/import",
        content=offers_file(faulty),
        headers={"Content-Type": "application/x-ndjson", "Prefer": "respond-async"},
        params={"source": "bulk", "mode": mode},
    )
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


async def finished(api: Api, job_id: str) -> dict[str, Any]:
    for _ in range(30):
        response = await api.request("GET", f"/v1/imports/{job_id}", headers={"Prefer": "wait=2"})
        body: dict[str, Any] = response.json()
        if body["state"] in {"succeeded", "failed"}:
            return body
    raise AssertionError(f"not finished: {body}")


@pytest.mark.usefixtures("small_batches")
async def test_keep_valid_resumes_after_its_last_committed_batch(
    open_app: OpenApp, keys: Keys, engine: AsyncEngine
) -> None:
    async with open_app(import_workers=0) as (_, client):
        job_id = await start(Api(client, keys), "keep_valid")
    await crash_after(engine, UUID(job_id), commits=2)
    # Two batches of a hundred rows (the provider, 199 offers of which one is bad) were
    # committed with their checkpoint, the third was not.
    assert await stored_offers(engine) == 198
    async with open_app(job_poll_seconds=0.05) as (_, client):
        api = Api(client, keys)
        done = await finished(api, job_id)
    assert done["state"] == "succeeded", done
    assert done["attempts"] == 2
    report = done["report"]
    assert report["rows"] == OFFERS + 2
    assert report["offers"] == {"created": OFFERS - 1, "updated": 0, "unchanged": 0, "rejected": 2}
    assert report["providers"]["created"] == 1
    # Each faulty row reported once, the duplicate of a row written before the crash included.
    assert [(e["line"], e["field"]) for e in report["errors"]] == [
        (BAD_AT + 2, "sector"),
        (OFFERS + 2, "external_id"),
    ]
    assert (
        report["errors"][1]["reason"] == f"this record already appears on line {DUPLICATE_OF + 2}"
    )
    assert (done["rows_read"], done["rows_applied"]) == (OFFERS + 2, OFFERS)
    assert await stored_offers(engine) == OFFERS - 1


@pytest.mark.usefixtures("small_batches")
async def test_all_or_nothing_is_never_half_applied_and_runs_again(
    open_app: OpenApp, keys: Keys, engine: AsyncEngine
) -> None:
    async with open_app(import_workers=0) as (_, client):
        job_id = await start(Api(client, keys), "all_or_nothing", faulty=False)
    # The worker dies as it commits the whole file (five batches): nothing of it is written.
    await crash_after(engine, UUID(job_id), commits=0)
    assert await stored_offers(engine) == 0
    async with open_app(job_poll_seconds=0.05) as (_, client):
        done = await finished(Api(client, keys), job_id)
    assert done["state"] == "succeeded", done
    assert done["attempts"] == 2
    assert done["report"]["offers"]["created"] == OFFERS
    assert done["report"]["committed"] is True
    assert await stored_offers(engine) == OFFERS
