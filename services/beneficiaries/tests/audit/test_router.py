"""The audit trail through the API: every access to personal data leaves an entry in the same
transaction, a request whose entry cannot be written fails (503) with nothing read or kept,
and one person's access log is for their manager and admins."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from beneficiaries.audit import service as audit_service
from beneficiaries.audit.models import AuditEntry
from shared.principal import Role

from ..factories import PERSON
from ..helpers import Api, assert_not_found, staff


async def entries(engine: AsyncEngine) -> list[AuditEntry]:
    async with AsyncSession(engine) as db:
        return list((await db.scalars(select(AuditEntry).order_by(AuditEntry.sequence))).all())


@asynccontextmanager
async def refusing_audit(engine: AsyncEngine) -> AsyncIterator[None]:
    """The database refuses every new audit entry for the time of the block."""
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execute(
                text(
                    "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'disk full'; END $$"
                )
            )
            await connection.execute(
                text(
                    "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_entry "
                    "FOR EACH ROW EXECUTE FUNCTION refuse_audit()"
                )
            )
        else:
            await connection.execute(
                text(
                    "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_entry "
                    "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
                )
            )
    try:
        yield
    finally:
        async with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                await connection.execute(text("DROP TRIGGER refuse_audit ON audit_entry"))
                await connection.execute(text("DROP FUNCTION refuse_audit()"))
            else:
                await connection.execute(text("DROP TRIGGER refuse_audit"))


async def test_every_access_to_personal_data_is_an_entry(
    api: Api, clean_tables: AsyncEngine
) -> None:
    association = await api.association()
    counsellor = staff(Role.COUNSELLOR, association["id"])
    person = await api.person(association["id"], counsellor)
    url = f"/v1/beneficiaries/{person['id']}"
    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", url, {}),
        ("GET", "/v1/beneficiaries", {}),
        ("GET", "/v1/beneficiaries", {"params": {"q": "khadija"}}),
        ("PATCH", url, {"json": {"commune": "Tétouan"}}),
        ("GET", url + "/consents", {}),
        (
            "POST",
            url + "/consents",
            {
                "json": {
                    "purpose": "support",
                    "status": "given",
                    "decision_date": "2026-11-01",
                    "method": "oral",
                }
            },
        ),
    ]
    for method, path, kwargs in calls:
        response = await api.request(method, path, counsellor, **kwargs)
        assert response.status_code in (200, 201), response.text
    stored = await entries(clean_tables)
    assert [e.action for e in stored] == [
        "create",
        "read",
        "list",
        "search",
        "update",
        "read",
        "update",
    ]
    for entry in stored:
        assert entry.actor == counsellor.subject
        assert entry.role == "counsellor"
        assert str(entry.association_id) == association["id"]
        assert entry.purpose == "support"
        assert entry.request_id
        assert json.loads(entry.records) == [person["id"]]


async def test_an_intake_whose_entry_cannot_be_written_fails_and_keeps_nothing(
    api: Api, clean_tables: AsyncEngine
) -> None:
    association = await api.association()
    counsellor = staff(Role.COUNSELLOR, association["id"])
    async with refusing_audit(clean_tables):
        response = await api.request("POST", "/v1/beneficiaries", counsellor, json=PERSON)
        assert response.status_code == 503, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"].endswith("audit-unavailable")
        assert PERSON["last_name"] not in response.text
        listed = await api.request("GET", "/v1/beneficiaries", counsellor)
        assert listed.status_code == 503
    async with AsyncSession(clean_tables) as db:
        assert await db.scalar(text("SELECT count(*) FROM beneficiary")) == 0


async def test_nothing_is_kept_or_shown_when_the_audit_fails(
    api: Api, clean_tables: AsyncEngine
) -> None:
    association = await api.association()
    counsellor = staff(Role.COUNSELLOR, association["id"])
    person = await api.person(association["id"], counsellor)
    url = f"/v1/beneficiaries/{person['id']}"
    before = len(await entries(clean_tables))
    async with refusing_audit(clean_tables):
        read = await api.request("GET", url, counsellor)
        assert read.status_code == 503
        assert PERSON["cin"] not in read.text
        assert PERSON["first_name"] not in read.text
        changed = await api.request("PATCH", url, counsellor, json={"commune": "Fnideq"})
        assert changed.status_code == 503
        consent = await api.request(
            "POST",
            url + "/consents",
            counsellor,
            json={
                "purpose": "support",
                "status": "given",
                "decision_date": "2026-11-01",
                "method": "oral",
            },
        )
        assert consent.status_code == 503
    # Nothing of the failed requests was stored.
    async with AsyncSession(clean_tables) as db:
        commune = await db.scalar(text("SELECT commune FROM beneficiary"))
        consents = await db.scalar(text("SELECT count(*) FROM consent"))
    assert commune == PERSON["commune"]
    assert consents == 0
    assert len(await entries(clean_tables)) == before


async def test_the_database_refuses_to_change_or_remove_entries(
    api: Api, clean_tables: AsyncEngine
) -> None:
    association = await api.association()
    await api.person(association["id"])
    for statement in (
        "UPDATE audit_entry SET actor = 'someone else'",
        "DELETE FROM audit_entry",
        "DELETE FROM audit_entry_record",
        "UPDATE audit_entry_record SET sequence = sequence + 1",
    ):
        with pytest.raises(Exception, match="append-only"):
            async with clean_tables.begin() as connection:
                await connection.execute(text(statement))
    assert len(await entries(clean_tables)) == 1


async def test_concurrent_writers_never_fork_the_chain(api: Api, clean_tables: AsyncEngine) -> None:
    association = await api.association()
    counsellor = staff(Role.COUNSELLOR, association["id"])
    person = await api.person(association["id"], counsellor)
    url = f"/v1/beneficiaries/{person['id']}"
    answers = await asyncio.gather(*(api.request("GET", url, counsellor) for _ in range(12)))
    assert [a.status_code for a in answers] == [200] * 12
    stored = await entries(clean_tables)
    assert [e.sequence for e in stored] == list(range(1, 14))
    async with AsyncSession(clean_tables) as db:
        assert (await audit_service.verify(db)).intact


async def test_the_access_log_is_for_the_manager_and_admins(api: Api) -> None:
    association = await api.association()
    other = await api.association(name="Association Tilila")
    counsellor = staff(Role.COUNSELLOR, association["id"])
    manager = staff(Role.ASSOCIATION_MANAGER, association["id"])
    person = await api.person(association["id"], counsellor)
    url = f"/v1/beneficiaries/{person['id']}"
    await api.request("GET", url, counsellor)
    log = await api.request("GET", url + "/access-log", manager, params={"limit": 1})
    assert log.status_code == 200, log.text
    first = log.json()
    # Newest first: reading the log is itself in the log.
    assert first["items"][0]["actor"] == manager.subject
    assert first["items"][0]["purpose"] == "oversight"
    rest = await api.request(
        "GET", url + "/access-log", manager, params={"cursor": first["next_cursor"]}
    )
    assert [(e["action"], e["actor"]) for e in rest.json()["items"]] == [
        ("read", counsellor.subject),
        ("create", counsellor.subject),
    ]
    assert (await api.request("GET", url + "/access-log")).status_code == 200
    assert (await api.request("GET", url + "/access-log", counsellor)).status_code == 403
    outsider = staff(Role.ASSOCIATION_MANAGER, other["id"])
    assert_not_found(await api.request("GET", url + "/access-log", outsider))
