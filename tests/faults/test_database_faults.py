"""The database misbehaves under a running service: it turns read-only, it fills up, its server
drops every connection. Writes answer 503 problem+json with ``Retry-After`` (never 500), reads go
on, nothing stored before is lost, and once the database is back the next requests succeed.

Read-only and full run on the offers service in process (the fault is set on its own engine's
connections); dropped connections run on the whole platform on PostgreSQL, the database that has
a server to drop them (``pg_terminate_backend`` of every process's connections).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from gateway.demo import DEMO_PASSWORD
from kafaat.hardening import World, offer_body
from kafaat.platform import PROCESSES
from offers.main import create_app
from offers.settings import Settings
from shared.migrations import upgrade
from shared.problems import PROBLEM_MEDIA_TYPE
from shared.testing import Keys, asgi_client, postgres_admin_url, scratch_database
from shared.testing.plugin import verifier_settings

from .conftest import Platforms
from .test_concurrent_writes import idempotent_creates

OFFERS_ROOT = next(p.root for p in PROCESSES if p.name == "offers")
# Enough writes to fill the last free pages of a small database.
FILLING_WRITES = 400


@asynccontextmanager
async def offers_service(
    backend: str, keys: Keys, directory: Path
) -> AsyncIterator[tuple[FastAPI, httpx2.AsyncClient, str]]:
    async with scratch_database(backend, "kafaat_faults_offers", directory) as url:
        await asyncio.to_thread(upgrade, OFFERS_ROOT, url)
        app = create_app(verifier_settings(Settings)(url, keys))
        async with asgi_client(app, **keys.headers("offers")) as client:
            yield app, client, url


async def admin_sql(*statements: str) -> None:
    engine = create_async_engine(postgres_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


def drop_connections(database: str) -> str:
    return (
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = '{database}' AND pid <> pg_backend_pid()"
    )


@asynccontextmanager
async def sqlite_pragma(engine: AsyncEngine, pragma: Callable[[Any], str]) -> AsyncIterator[None]:
    """Every connection of ``engine`` runs ``pragma(connection)`` when it opens, for the block;
    the pool is emptied so that none opened before escapes it."""

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(pragma(dbapi_connection))
        cursor.close()

    event.listen(engine.sync_engine, "connect", on_connect)
    await engine.dispose()
    try:
        yield
    finally:
        event.remove(engine.sync_engine, "connect", on_connect)
        await engine.dispose()


@asynccontextmanager
async def read_only(app: FastAPI, url: str) -> AsyncIterator[None]:
    """The service's database accepts reads only: SQLite's ``query_only``; on PostgreSQL the
    database's ``default_transaction_read_only``, which connections take when they open."""
    engine: AsyncEngine = app.state.engine
    if engine.dialect.name == "sqlite":
        async with sqlite_pragma(engine, lambda _: "PRAGMA query_only = ON"):
            yield
        return
    name = make_url(url).database
    assert name is not None
    await admin_sql(
        f'ALTER DATABASE "{name}" SET default_transaction_read_only = on', drop_connections(name)
    )
    try:
        yield
    finally:
        await admin_sql(
            f'ALTER DATABASE "{name}" RESET default_transaction_read_only', drop_connections(name)
        )


def page_count(dbapi_connection: Any) -> int:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA page_count")
    (pages,) = cursor.fetchone()
    cursor.close()
    return int(pages)


def assert_unavailable(response: httpx2.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.json()["type"].endswith("/database-unavailable")
    assert int(response.headers["retry-after"]) > 0


async def provider_with_offers(client: httpx2.AsyncClient, offers: int) -> tuple[str, list[str]]:
    body = {"name": f"Centre {uuid.uuid4().hex[:8]}", "kind": "company", "region": "01"}
    provider = await client.post("/v1/providers", json=body)
    assert provider.status_code == 201, provider.text
    provider_id = provider.json()["id"]
    ids = []
    for _ in range(offers):
        offer = await client.post("/v1/offers", json=offer_body(provider_id))
        assert offer.status_code == 201, offer.text
        ids.append(offer.json()["id"])
    return provider_id, ids


async def assert_all_there(client: httpx2.AsyncClient, offer_ids: list[str]) -> None:
    for offer_id in offer_ids:
        assert (await client.get(f"/v1/offers/{offer_id}")).status_code == 200


async def test_a_read_only_database_answers_503_and_keeps_what_it_has(
    backend: str, keys: Keys, tmp_path: Path
) -> None:
    async with offers_service(backend, keys, tmp_path) as (app, client, url):
        provider_id, stored = await provider_with_offers(client, 3)
        async with read_only(app, url):
            created = await client.post("/v1/offers", json=offer_body(provider_id))
            assert_unavailable(created)
            changed = await client.patch(f"/v1/offers/{stored[0]}", json={"title_fr": "Autre"})
            assert_unavailable(changed)
            await assert_all_there(client, stored)
            listed = await client.get("/v1/offers", params={"provider_id": provider_id})
            assert len(listed.json()["items"]) == 3
        # Back to read-write: the next write goes through, nothing was half-written.
        again = await client.post("/v1/offers", json=offer_body(provider_id))
        assert again.status_code == 201, again.text
        listed = await client.get("/v1/offers", params={"provider_id": provider_id})
        assert len(listed.json()["items"]) == 4
        title = (await client.get(f"/v1/offers/{stored[0]}")).json()["title_fr"]
        assert title == offer_body(provider_id)["title_fr"]


async def test_a_full_database_answers_503_and_keeps_what_it_has(
    keys: Keys, tmp_path: Path
) -> None:
    # SQLite's max_page_count set to the pages the file has: the disk is full for it. (A full
    # disk under PostgreSQL needs a filesystem of its own: not simulated here.)
    async with offers_service("sqlite", keys, tmp_path) as (app, client, _url):
        provider_id, stored = await provider_with_offers(client, 3)
        engine: AsyncEngine = app.state.engine

        def no_more_pages(connection: Any) -> str:
            return f"PRAGMA max_page_count = {page_count(connection)}"

        async with sqlite_pragma(engine, no_more_pages):
            answers = []
            for _ in range(FILLING_WRITES):
                answer = await client.post("/v1/offers", json=offer_body(provider_id))
                answers.append(answer)
                if answer.status_code != 201:
                    break
            assert answers[-1].status_code != 201, "the database never filled up"
            assert_unavailable(answers[-1])
            stored += [a.json()["id"] for a in answers if a.status_code == 201]
            await assert_all_there(client, stored)
        again = await client.post("/v1/offers", json=offer_body(provider_id))
        assert again.status_code == 201, again.text
        await assert_all_there(client, [*stored, again.json()["id"]])


@pytest.mark.processes
async def test_dropped_postgresql_connections_are_replaced_on_the_next_request(
    platforms: Platforms,
) -> None:
    faulty = await platforms.on("postgresql")
    world: World = await asyncio.to_thread(faulty.the_world)
    creates = [op for op in idempotent_creates() if op.operation_id != "sessions-create"]
    async with httpx2.AsyncClient(base_url=faulty.base_url, timeout=15.0, trust_env=False) as http:

        async def every_database_in_use() -> None:
            for op in creates:
                body = await asyncio.to_thread(world.body, op.operation_id)
                response = await http.post(op.path, headers=world.admin, json=body)
                assert response.status_code == 201, response.text

        await every_database_in_use()
        names = [make_url(url).database for url in faulty.platform.database_urls.values()]
        engine = create_async_engine(postgres_admin_url(), isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as connection:
                dropped = (
                    await connection.execute(
                        text(
                            "SELECT datname, pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = ANY(:names) AND pid <> pg_backend_pid()"
                        ),
                        {"names": names},
                    )
                ).all()
        finally:
            await engine.dispose()
        # The gateway's and offers' pools held connections, all gone now.
        in_use = {
            make_url(faulty.platform.database_urls[p]).database for p in ("gateway", "offers")
        }
        assert in_use <= {row.datname for row in dropped if row[1]}

        # The very next requests succeed: sign-in (gateway), writes and reads (every service).
        signed_in = await http.post(
            "/api/v1/auth/login",
            json={"email": "admin@demo.kafaat.ma", "password": DEMO_PASSWORD},
        )
        assert signed_in.status_code == 200, signed_in.text
        await every_database_in_use()
        status = await http.get("/api/v1/status")
        assert status.json()["status"] == "ready"
