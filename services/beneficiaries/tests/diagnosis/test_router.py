"""The diagnosis: written whole, replaced with If-Match, scoped and audited."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from shared.principal import Role

from ..audit_helpers import entries
from ..cases import Api, association, person, problem_fields, staff

DIAGNOSIS = {
    "diagnosis_date": "2026-09-15",
    "skills": ["couture", "accueil"],
    "constraints": ["garde d'enfant le matin"],
    "needs": ["formation en hôtellerie"],
    "notes": "Très motivée.",
}


async def test_a_diagnosis_is_written_then_replaced(
    api: Api, db: AsyncSession, engine: AsyncEngine
) -> None:
    home = await association(db)
    salma = await person(db, home)
    counsellor, manager = staff(home.id), staff(home.id, Role.ASSOCIATION_MANAGER)
    path = f"/v1/beneficiaries/{salma.id}/diagnosis"

    assert (await api.request("GET", path, counsellor)).status_code == 404
    first = await api.request("PUT", path, counsellor, json=DIAGNOSIS)
    assert first.status_code == 200, first.text
    assert first.headers["ETag"] == '"1"'
    assert first.json()["author"] == counsellor.subject
    assert first.json()["skills"] == ["couture", "accueil"]

    changed = DIAGNOSIS | {"needs": ["formation en hôtellerie", "permis de conduire"]}
    second = await api.request("PUT", path, manager, json=changed, headers={"If-Match": '"1"'})
    assert second.status_code == 200, second.text
    assert (second.json()["version"], second.json()["author"]) == (2, manager.subject)
    stale = await api.request("PUT", path, counsellor, json=DIAGNOSIS, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    same = await api.ok("PUT", path, counsellor, json=changed)
    assert same["version"] == 2
    read = await api.ok("GET", path, counsellor)
    assert read["needs"] == ["formation en hôtellerie", "permis de conduire"]
    actions = [e[1] for e in await entries(engine) if e[3] == [str(salma.id)]]
    assert actions == ["update", "update", "update", "read"]


async def test_a_diagnosis_names_its_bad_fields(api: Api, db: AsyncSession) -> None:
    home = await association(db)
    salma = await person(db, home)
    path = f"/v1/beneficiaries/{salma.id}/diagnosis"
    assert problem_fields(await api.request("PUT", path, json={"skills": []})) == [
        "body.diagnosis_date"
    ]
    bad = DIAGNOSIS | {"diagnosis_date": "0202-01-01", "skills": ["x" * 301]}
    assert problem_fields(await api.request("PUT", path, json=bad)) == [
        "body.diagnosis_date",
        "body.skills.0",
    ]


async def test_outside_the_association_the_diagnosis_is_404(api: Api, db: AsyncSession) -> None:
    home, elsewhere = await association(db), await association(db, name="Autre")
    salma = await person(db, home)
    path = f"/v1/beneficiaries/{salma.id}/diagnosis"
    await api.ok("PUT", path, json=DIAGNOSIS)
    outsider = staff(elsewhere.id)
    assert (await api.request("GET", path, outsider)).status_code == 404
    changed = DIAGNOSIS | {"notes": "changé"}
    assert (await api.request("PUT", path, outsider, json=changed)).status_code == 404
    assert (await api.ok("GET", path))["notes"] == "Très motivée."


async def test_control_characters_are_refused_by_name(api: Api, db: AsyncSession) -> None:
    home = await association(db)
    salma = await person(db, home)
    path = f"/v1/beneficiaries/{salma.id}/diagnosis"
    bad = DIAGNOSIS | {"skills": ["a\x00b"], "notes": "ligne\x07"}
    assert problem_fields(await api.request("PUT", path, json=bad)) == [
        "body.skills.0",
        "body.notes",
    ]
    multiline = await api.ok("PUT", path, json=DIAGNOSIS | {"notes": "une\ndeux\tlignes"})
    assert multiline["notes"] == "une\ndeux\tlignes"
