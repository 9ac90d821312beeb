"""The data subject's rights: a JSON export holding everything, and an erasure that leaves no
personal value in the database while every figure stays the same."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text as sql
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from beneficiaries.database import Base
from shared.principal import Principal, Role
from shared.testing import make_principal

from ..audit_helpers import entries
from ..cases import Api, association, staff

PERSON = {
    "first_name": "Khadija",
    "last_name": "Ouazzani",
    "sex": "female",
    "birth_date": "1997-08-23",
    "cin": "LB123456",
    "phone": "+212 661 23 45 67",
    "email": "khadija.ouazzani@example.ma",
    "commune": "Mdiq",
    "region": "01",
    "vulnerabilities": [{"criterion": "single_parent", "since": "2021-06-14"}],
}
SECRETS = (
    "Khadija",
    "Ouazzani",
    "khadija",
    "ouazzani",
    "LB123456",
    "661 23 45 67",
    "661234567",
    "example.ma",
    "Mdiq",
    "1997-08-23",
    "2021-06-14",
    "Couture à domicile",
    "Garde de ses deux enfants",
    "Ouvrir un atelier",
    "Acheter une machine",
    "Appelée par sa sœur",
    "Patisserie Rahma",
    "Contrat signé chez Rahma",
    "Toujours chez Rahma",
)


async def case_file(api: Api, counsellor: Principal) -> tuple[str, dict[str, str]]:
    """A person with something in every part of the case file; their id and record ids."""
    person = await api.ok("POST", "/v1/beneficiaries", counsellor, json=PERSON)
    path = f"/v1/beneficiaries/{person['id']}"
    consent = {
        "purpose": "support",
        "status": "given",
        "decision_date": "2026-09-01",
        "method": "signed_form",
    }
    await api.ok("POST", path + "/consents", counsellor, json=consent)
    await api.ok(
        "PUT",
        path + "/diagnosis",
        counsellor,
        json={
            "diagnosis_date": "2026-09-02",
            "skills": ["Couture à domicile"],
            "constraints": ["Garde de ses deux enfants"],
            "notes": "Appelée par sa sœur",
        },
    )
    await api.ok("POST", path + "/stage", counsellor, json={"stage": "diagnosis"})
    for objectives in (["Ouvrir un atelier"], ["Ouvrir un atelier", "Acheter une machine"]):
        await api.ok("PUT", path + "/plan", counsellor, json={"objectives": objectives})
    action = await api.ok(
        "POST",
        path + "/actions",
        counsellor,
        json={
            "kind": "mentoring",
            "action_date": "2026-09-10",
            "duration_minutes": 60,
            "notes": "Appelée par sa sœur",
        },
        headers={"Idempotency-Key": "action-1"},
    )
    outcome = await api.ok(
        "POST",
        path + "/outcomes",
        counsellor,
        json={
            "type": "employment",
            "outcome_date": "2026-03-01",
            "employer": "Patisserie Rahma",
            "contract_type": "fixed_term",
            "sector": "hospitality_catering",
            "evidence_note": "Contrat signé chez Rahma",
        },
        headers={"Idempotency-Key": "outcome-1"},
    )
    follow_ups = (await api.ok("GET", path + "/follow-ups", counsellor))["items"]
    await api.ok(
        "PATCH",
        f"{path}/follow-ups/{follow_ups[0]['id']}",
        counsellor,
        json={"status": "done", "outcome_holds": True, "notes": "Toujours chez Rahma"},
    )
    return str(person["id"]), {"action": action["id"], "outcome": outcome["id"]}


async def test_the_export_holds_every_part_of_the_case_file(
    api: Api, db: AsyncSession, engine: AsyncEngine
) -> None:
    home = await association(db)
    counsellor = staff(home.id)
    person_id, ids = await case_file(api, counsellor)

    document = await api.ok("GET", f"/v1/beneficiaries/{person_id}/export", counsellor)
    assert document["beneficiary"]["id"] == person_id
    assert document["beneficiary"]["cin"] == "LB123456"
    assert document["beneficiary"]["phone"] == PERSON["phone"]
    assert [c["purpose"] for c in document["consents"]["items"]] == ["support"]
    assert document["journey"]["stage"] == "diagnosis"
    assert [m["to_stage"] for m in document["journey"]["history"]] == ["diagnosis"]
    assert document["diagnosis"]["skills"] == ["Couture à domicile"]
    assert [p["revision"] for p in document["plan_revisions"]] == [1, 2]
    assert document["plan_revisions"][0]["objectives"] == ["Ouvrir un atelier"]
    assert [a["id"] for a in document["actions"]] == [ids["action"]]
    assert [o["id"] for o in document["outcomes"]] == [ids["outcome"]]
    assert [f["month"] for f in document["follow_ups"]] == [3, 6, 12]
    assert document["follow_ups"][0]["notes"] == "Toujours chez Rahma"
    exported = [e for e in await entries(engine) if e[1] == "export"]
    assert exported == [(counsellor.subject, "export", "data_subject_request", [person_id])]

    elsewhere = await association(db, name="Autre")
    outsider = staff(elsewhere.id, Role.ASSOCIATION_MANAGER)
    response = await api.request("GET", f"/v1/beneficiaries/{person_id}/export", outsider)
    assert response.status_code == 404


async def raw_rows(engine: AsyncEngine) -> str:
    """Every row of every table of the service as the database hands it out (no type of the
    models in between), as text: what a dump would show."""
    text = []
    async with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = (await connection.execute(sql(f"SELECT * FROM {table.name}"))).all()
            text += [repr(tuple(row)) for row in rows]
    return "\n".join(text)


async def test_erasure_leaves_no_personal_value_and_every_figure(
    api: Api, db: AsyncSession, engine: AsyncEngine
) -> None:
    home = await association(db)
    counsellor, manager = staff(home.id), staff(home.id, Role.ASSOCIATION_MANAGER)
    person_id, _ = await case_file(api, counsellor)
    path = f"/v1/beneficiaries/{person_id}"
    viewer = make_principal(role=Role.VIEWER)
    figures = [
        await api.ok("GET", "/v1/stats/outcomes", viewer, params=params)
        for params in ({}, {"year": 2026}, {"region": "01"})
    ]
    audit_before = await entries(engine)
    assert "Khadija" in await raw_rows(engine)

    refused = await api.request("POST", path + "/erase", counsellor)
    assert refused.status_code == 403
    stale = await api.request("POST", path + "/erase", manager, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    response = await api.request("POST", path + "/erase", manager)
    assert response.status_code == 200, response.text
    erased = response.json()
    assert erased["erased_at"] is not None
    assert (erased["first_name"], erased["cin"], erased["phone"], erased["email"]) == (
        "—",
        None,
        None,
        None,
    )
    assert erased["birth_date"] == "1997-01-01"
    assert erased["vulnerabilities"] == [{"criterion": "single_parent", "since": "2021-01-01"}]

    dump = await raw_rows(engine)
    found = [secret for secret in SECRETS if secret in dump]
    assert found == []
    after = [
        await api.ok("GET", "/v1/stats/outcomes", viewer, params=params)
        for params in ({}, {"year": 2026}, {"region": "01"})
    ]
    assert after == figures
    # Erasing again changes nothing; the audit trail kept every entry and says who erased.
    again = await api.ok("POST", path + "/erase", manager)
    assert again == erased
    audit_after = await entries(engine)
    assert audit_after[: len(audit_before)] == audit_before
    assert [e[1:3] for e in audit_after[len(audit_before) :]] == [
        ("erase", "data_subject_request")
    ] * 2

    # The case file takes no new personal data; its figures are still readable.
    response = await api.request(
        "POST",
        path + "/actions",
        counsellor,
        json={"kind": "coaching", "action_date": "2026-10-01", "duration_minutes": 30},
    )
    assert response.status_code == 409
    replayed = await api.request(
        "POST",
        path + "/outcomes",
        counsellor,
        json={
            "type": "employment",
            "outcome_date": "2026-03-01",
            "employer": "Patisserie Rahma",
            "contract_type": "fixed_term",
            "sector": "hospitality_catering",
            "evidence_note": "Contrat signé chez Rahma",
        },
        headers={"Idempotency-Key": "outcome-1"},
    )
    assert replayed.status_code == 201
    assert (replayed.json()["employer"], replayed.json()["sector"]) == (
        None,
        "hospitality_catering",
    )
    document: dict[str, Any] = await api.ok("GET", path + "/export", manager)
    assert document["plan_revisions"][1]["objectives"] == []
    assert document["journey"]["stage"] == "diagnosis"
