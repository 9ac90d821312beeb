"""Consent per purpose (law 09-08: free, specific, informed): every decision is kept; the
latest per purpose (by the day decided, then the order recorded) is the one in force.

Other domains ask :func:`consent_in_force` before processing for a purpose (sharing with
providers for a referral, statistics).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.access import Access
from beneficiaries.consents import repository
from beneficiaries.consents.models import Consent
from beneficiaries.consents.schemas import ConsentCreate, ConsentHistory, ConsentRead
from beneficiaries.vocabulary import ConsentPurpose, ConsentStatus
from shared.db import utcnow
from shared.problems import FieldIssue, raise_if_invalid


def in_force(history: Sequence[Consent]) -> list[Consent]:
    """The decision in force per purpose, from a history sorted newest first."""
    seen: dict[str, Consent] = {}
    for consent in history:
        seen.setdefault(consent.purpose, consent)
    return sorted(
        seen.values(),
        key=lambda consent: list(ConsentPurpose).index(ConsentPurpose(consent.purpose)),
    )


async def consent_in_force(
    db: AsyncSession, beneficiary_id: UUID, purpose: ConsentPurpose | str
) -> bool:
    """Whether the person's decision in force for ``purpose`` is ``given`` (no decision yet is
    no consent)."""
    latest = await repository.latest(db, beneficiary_id, str(purpose))
    return latest is not None and latest.status == ConsentStatus.GIVEN


async def in_force_of(db: AsyncSession, beneficiary_id: UUID) -> list[ConsentRead]:
    return [
        ConsentRead.model_validate(c)
        for c in in_force(await repository.history(db, [beneficiary_id]))
    ]


async def history_of(db: AsyncSession, beneficiary_id: UUID) -> ConsentHistory:
    history = await repository.history(db, [beneficiary_id])
    return ConsentHistory(
        in_force=[ConsentRead.model_validate(c) for c in in_force(history)],
        items=[ConsentRead.model_validate(c) for c in history],
    )


def check(data: ConsentCreate, current: Consent | None, today: date) -> list[FieldIssue]:
    issues: list[FieldIssue] = []
    if data.decision_date > today:
        issues.append(("decision_date", "decision_in_future"))
    if data.status is ConsentStatus.WITHDRAWN and (
        current is None or current.status != ConsentStatus.GIVEN
    ):
        issues.append(("status", "withdraw_given_only"))
    return issues


async def record(
    db: AsyncSession, access: Access, beneficiary_id: UUID, data: ConsentCreate
) -> Consent:
    """Add a decision to the person's history (the caller's scope over the person is checked
    by whoever found them)."""
    current = await repository.latest(db, beneficiary_id, data.purpose.value)
    raise_if_invalid(check(data, current, utcnow().date()))
    consent = Consent(
        id=uuid4(),
        beneficiary_id=beneficiary_id,
        purpose=data.purpose.value,
        status=data.status.value,
        decision_date=data.decision_date,
        method=data.method.value,
        recorded_by=access.subject,
        recorded_at=utcnow(),
    )
    db.add(consent)
    await db.flush()
    return consent
