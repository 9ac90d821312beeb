"""A person's diagnosis: one per person, written whole (``PUT``) and kept up to date; the
author is whoever wrote it last."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.access import Access
from beneficiaries.diagnosis import repository
from beneficiaries.diagnosis.models import Diagnosis
from beneficiaries.diagnosis.schemas import DiagnosisRead, DiagnosisWrite
from beneficiaries.people.models import Beneficiary
from shared.db import utcnow
from shared.problems import not_found
from shared.writes import apply_changes, flush_update


def to_read(diagnosis: Diagnosis) -> DiagnosisRead:
    return DiagnosisRead.model_validate(diagnosis)


async def of_person(db: AsyncSession, person: Beneficiary) -> Diagnosis | None:
    return await repository.of_person(db, person.id)


async def get(db: AsyncSession, person: Beneficiary) -> Diagnosis:
    found = await repository.of_person(db, person.id)
    if found is None:
        raise not_found("diagnosis of the beneficiary", person.id)
    return found


async def write(
    db: AsyncSession,
    access: Access,
    person: Beneficiary,
    data: DiagnosisWrite,
    if_match: str | None,
) -> Diagnosis:
    """Create the diagnosis, or replace it (``If-Match`` against its version)."""
    values = data.model_dump()
    current = await repository.of_person(db, person.id)
    if current is None:
        now = utcnow()
        current = Diagnosis(
            beneficiary_id=person.id,
            author=access.subject,
            version=1,
            created_at=now,
            updated_at=now,
            **values,
        )
        db.add(current)
        await db.flush()
        return current
    if apply_changes(current, values, if_match):
        current.author = access.subject
        await flush_update(db)
    return current


async def erase(db: AsyncSession, person: Beneficiary) -> None:
    await repository.erase(db, person.id, utcnow())
