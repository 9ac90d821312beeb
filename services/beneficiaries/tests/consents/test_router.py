"""Consents: every decision kept, the latest per purpose in force, shown on the person."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.consents import service as consents_service
from beneficiaries.vocabulary import ConsentPurpose
from shared.principal import Role

from ..factories import Factory
from ..helpers import Api, problem_fields, staff


async def test_the_latest_decision_per_purpose_is_in_force_and_the_history_kept(api: Api) -> None:
    association = await api.association()
    counsellor = staff(Role.COUNSELLOR, association["id"])
    person = await api.person(association["id"], counsellor)
    url = f"/v1/beneficiaries/{person['id']}"
    given = await api.consent(person["id"], counsellor, purpose="sharing_with_providers")
    assert given["recorded_by"] == counsellor.subject
    await api.consent(person["id"], counsellor, purpose="statistics", status="refused")
    withdrawn = await api.consent(
        person["id"],
        counsellor,
        purpose="sharing_with_providers",
        status="withdrawn",
        decision_date="2026-11-20",
        method="oral",
    )
    history = (await api.request("GET", url + "/consents", counsellor)).json()
    assert [c["id"] for c in history["items"]][0] == withdrawn["id"]
    assert len(history["items"]) == 3
    in_force = {c["purpose"]: c["status"] for c in history["in_force"]}
    assert in_force == {"sharing_with_providers": "withdrawn", "statistics": "refused"}
    on_person = (await api.request("GET", url, counsellor)).json()["consents"]
    assert {c["purpose"]: c["status"] for c in on_person} == in_force


async def test_a_decision_is_checked(api: Api) -> None:
    association = await api.association()
    counsellor = staff(Role.COUNSELLOR, association["id"])
    person = await api.person(association["id"], counsellor)
    path = f"/v1/beneficiaries/{person['id']}/consents"
    base = {
        "purpose": "support",
        "status": "given",
        "decision_date": "2026-11-01",
        "method": "oral",
    }
    cases = [
        ({"decision_date": "2999-01-01"}, "body.decision_date"),
        ({"status": "withdrawn"}, "body.status"),  # nothing given to withdraw
        ({"purpose": "marketing"}, "body.purpose"),
        ({"method": "telepathy"}, "body.method"),
    ]
    for change, field in cases:
        response = await api.request("POST", path, counsellor, json=base | change)
        assert field in problem_fields(response), (change, response.text)


async def test_consent_in_force_for_other_domains(db: AsyncSession, factory: Factory) -> None:
    person = await factory.person()
    purpose = ConsentPurpose.SHARING_WITH_PROVIDERS
    assert not await consents_service.consent_in_force(db, person.id, purpose)
    await factory.consent(person, purpose="sharing_with_providers")
    assert await consents_service.consent_in_force(db, person.id, purpose)
    assert not await consents_service.consent_in_force(db, person.id, ConsentPurpose.STATISTICS)
    await factory.consent(person, purpose="sharing_with_providers", status="withdrawn")
    assert not await consents_service.consent_in_force(db, person.id, purpose)
