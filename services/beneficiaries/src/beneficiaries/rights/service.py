"""The data subject's rights over the case file: one person's data as a JSON export (access),
and erasure, which anonymises every personal value while keeping the non-identifying figures
(sex, birth year, place, education, criteria, stages, actions, outcomes) so the statistics stay
right. The audit entries stay: they name ids, never personal values, and say who saw what."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.access import Access
from beneficiaries.actions import service as actions_service
from beneficiaries.consents import service as consents_service
from beneficiaries.diagnosis import service as diagnosis_service
from beneficiaries.encryption import Vault
from beneficiaries.journey import service as journey_service
from beneficiaries.outcomes import service as outcomes_service
from beneficiaries.people import service as people_service
from beneficiaries.people.models import Beneficiary
from beneficiaries.plans import service as plans_service
from beneficiaries.rights.schemas import PersonExport
from shared.db import utcnow
from shared.writes import flush_update

# What an erased name reads as.
ERASED = "—"


async def export(
    db: AsyncSession, access: Access, vault: Vault, person: Beneficiary
) -> PersonExport:
    diagnosis = await diagnosis_service.of_person(db, person)
    return PersonExport(
        exported_at=utcnow(),
        beneficiary=await people_service.to_read(db, access, vault, person),
        consents=await consents_service.history_of(db, person.id),
        journey=await journey_service.journey(db, person),
        diagnosis=None if diagnosis is None else diagnosis_service.to_read(diagnosis),
        plan_revisions=[
            plans_service.to_read(row) for row in await plans_service.revisions_of(db, person)
        ],
        actions=[
            actions_service.to_read(row) for row in await actions_service.of_person(db, person)
        ],
        outcomes=[
            outcomes_service.to_read(row) for row in await outcomes_service.outcomes_of(db, person)
        ],
        follow_ups=[
            outcomes_service.follow_up_read(row)
            for row in await outcomes_service.follow_ups_of(db, person)
        ],
    )


def _year_only(vulnerability: dict[str, Any]) -> dict[str, Any]:
    since = vulnerability.get("since")
    if isinstance(since, str) and len(since) >= 4:
        vulnerability = vulnerability | {"since": f"{since[:4]}-01-01"}
    return vulnerability


async def erase(db: AsyncSession, person: Beneficiary) -> bool:
    """Anonymise the person and every part of their case file; False when already done (a
    second erasure changes nothing)."""
    if person.erased_at is not None:
        return False
    now = utcnow()
    person.first_name = ERASED
    person.last_name = ERASED
    person.name_key = ""
    person.cin_encrypted = None
    person.cin_index = None
    person.phone_encrypted = None
    person.email = None
    person.commune = None
    # The birth year stays: age bands are counted from it alone.
    person.birth_date = date(person.birth_date.year, 1, 1)
    person.vulnerabilities = [_year_only(dict(item)) for item in person.vulnerabilities]
    person.erased_at = now
    person.updated_at = now
    await flush_update(db)
    await diagnosis_service.erase(db, person)
    await plans_service.erase(db, person)
    await actions_service.erase(db, person)
    await outcomes_service.erase(db, person)
    return True
