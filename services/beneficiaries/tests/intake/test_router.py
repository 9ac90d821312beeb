"""Bulk intake: a spreadsheet of people as a job, checked row by row like the API, audited,
its upload sealed in the database and purged once done."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from beneficiaries.audit.models import AuditEntry
from beneficiaries.intake import service as intake_service
from beneficiaries.intake.models import tables
from shared.principal import Role
from shared.testing import make_principal

from ..factories import Factory, access, development_vault
from ..helpers import Api, assert_not_found, staff

HEADER = "first_name,last_name,sex,birth_date,cin,phone,region,province,vulnerabilities\n"


def intake_file(*rows: str) -> bytes:
    return (HEADER + "".join(row + "\n" for row in rows)).encode()


async def run_intake(api: Api, principal: Any, content: bytes, **params: str) -> dict[str, Any]:
    response = await api.request(
        "POST",
        "/v1/beneficiaries/intake",
        principal,
        content=content,
        params=params,
        headers={"Content-Type": "text/csv", "Prefer": "wait=10"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["location"].startswith("/api/v1/beneficiaries/intake/jobs/")
    job: dict[str, Any] = response.json()
    assert job["state"] in ("succeeded", "failed"), job
    return job


async def test_rows_are_checked_like_the_api_and_reported_by_line(
    api: Api, clean_tables: AsyncEngine
) -> None:
    association = await api.association()
    other = await api.association(name="Association Tilila")
    counsellor = staff(Role.COUNSELLOR, association["id"])
    known = await api.person(association["id"], counsellor, cin="AA111111")
    elsewhere = await api.person(other["id"], cin="BB222222")
    job = await run_intake(
        api,
        counsellor,
        intake_file(
            "Salma,Alaoui,female,2001-03-14,CD333333,+212 600 000 001,01,01.571,"
            "neet_youth:2024-07-01",
            "Yassine,Berrada,male,1997-10-02,,,01,,",
            "Imane,Chraibi,other,1989-05-21,,,01,,",
            "Omar,Daoudi,male,2003-12-09,aa 111111,,01,,",
            "Hind,Essaidi,female,2000-01-01,CD333333,,01,,",
            "Nora,Fassi,female,1999-09-09,BB222222,,01,,",
            "Rita,Ghali,female,2999-01-01,,,01,,",
        ),
    )
    assert job["state"] == "succeeded", job
    report = job["report"]
    assert report["rows"] == 7
    assert report["created"] == 3
    assert {(e["line"], e["field"]) for e in report["errors"]} == {
        (4, "sex"),
        (5, "cin"),
        (6, "cin"),
        (8, "birth_date"),
    }
    duplicate = next(e for e in report["errors"] if e["line"] == 5)
    assert known["id"] in duplicate["reason"]
    # Nothing of the other association, and no value of any row, in the report.
    assert elsewhere["id"] not in str(job)
    assert "CD333333" not in str(job)
    assert "Chraibi" not in str(job)
    listed = await api.request("GET", "/v1/beneficiaries", counsellor, params={"limit": 200})
    names = sorted(p["last_name"] for p in listed.json()["items"])
    assert names == ["Alaoui", "Berrada", "Fassi", "Ouazzani"]
    flagged = (await api.request("GET", "/v1/beneficiaries/possible-duplicates")).json()
    assert [d["matches"] for d in flagged["items"]] == [[elsewhere["id"]]]
    # One audit entry for the batch, naming every person it created; the upload is gone.
    async with AsyncSession(clean_tables) as db:
        imports = (await db.scalars(select(AuditEntry).where(AuditEntry.action == "import"))).all()
        inputs = await db.scalar(select(text("count(*)")).select_from(tables.job_input))
    assert len(imports) == 1
    assert imports[0].actor == counsellor.subject
    assert imports[0].purpose == "intake"
    assert imports[0].records.count("-") == 3 * 4
    assert inputs == 0
    again = await api.request("GET", job_url(job), counsellor)
    assert again.json()["report"] == report


def job_url(job: dict[str, Any]) -> str:
    return f"/v1/beneficiaries/intake/jobs/{job['id']}"


async def test_a_file_that_is_not_an_intake_fails_saying_why(api: Api) -> None:
    association = await api.association()
    counsellor = staff(Role.COUNSELLOR, association["id"])
    job = await run_intake(api, counsellor, b"name,colour\nx,blue\n")
    assert job["state"] == "failed"
    assert "unknown columns name, colour" in job["error"]
    assert "missing columns first_name" in job["error"]


async def test_intakes_are_for_who_started_them(api: Api) -> None:
    association = await api.association()
    other = await api.association(name="Association Tilila")
    counsellor = staff(Role.COUNSELLOR, association["id"])
    job = await run_intake(api, counsellor, intake_file("Salma,Alaoui,female,2001-03-14,,,01,,"))
    assert (await api.request("GET", job_url(job))).status_code == 200
    for outsider in (
        staff(Role.COUNSELLOR, other["id"]),
        staff(Role.ASSOCIATION_MANAGER, other["id"]),
        make_principal(role=Role.REGIONAL_COORDINATOR, regions=("01",)),
    ):
        assert_not_found(await api.request("GET", job_url(job), outsider))
    coordinator = make_principal(role=Role.REGIONAL_COORDINATOR, regions=("01",))
    refused = await api.request(
        "POST",
        "/v1/beneficiaries/intake",
        coordinator,
        content=intake_file(),
        headers={"Content-Type": "text/csv"},
    )
    assert_not_found(refused)


async def test_the_stored_upload_is_sealed(db: AsyncSession, factory: Factory) -> None:
    association = await factory.association()
    vault = development_vault()

    async def body() -> Any:
        yield intake_file("Salma,Alaoui,female,2001-03-14,CD333333,+212 600 000 001,01,,")

    await intake_service.start(db, access(), vault, association.id, body())
    await db.commit()
    stored = b"".join((await db.scalars(select(tables.job_input.c.data))).all())
    assert stored
    assert b"CD333333" not in stored
    assert b"600 000 001" not in stored
    assert b"Alaoui" not in stored
