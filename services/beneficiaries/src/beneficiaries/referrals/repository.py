"""Every SQL query on referrals, the scope of each kind of caller included."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, false, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.consents.models import Consent
from beneficiaries.people.models import Beneficiary
from beneficiaries.referrals.models import Referral, ReferralEvent
from beneficiaries.stats.tracking import FIGURES_UNCHANGED
from beneficiaries.vocabulary import ConsentPurpose, ConsentStatus
from shared.pagination import PageParams, SortKey, paginate, where_equal

SORT_KEYS = [SortKey(Referral.updated_at), SortKey(Referral.id)]


def sharing_consent_in_force() -> ColumnElement[bool]:
    """The referral's person's decision in force about sharing with providers is ``given``
    (the latest by the day decided, then the order recorded, as ``consents`` reads it)."""
    latest = (
        select(Consent.status)
        .where(
            Consent.beneficiary_id == Referral.beneficiary_id,
            Consent.purpose == ConsentPurpose.SHARING_WITH_PROVIDERS.value,
        )
        .order_by(Consent.decision_date.desc(), Consent.recorded_at.desc(), Consent.id.desc())
        .limit(1)
        .correlate(Referral)
        .scalar_subquery()
    )
    return latest == ConsentStatus.GIVEN.value


def visible(
    *, everything: bool, association_id: UUID | None, provider_id: UUID | None
) -> ColumnElement[bool]:
    """The referrals a caller may see: their association's people's (staff), those to their
    provider's sessions of people whose sharing consent is in force (provider staff), every
    one (admins), none for anyone else."""
    if everything:
        return true()
    if association_id is not None:
        return Referral.association_id == association_id
    if provider_id is not None:
        return (Referral.provider_id == provider_id) & sharing_consent_in_force()
    return false()


async def get(db: AsyncSession, referral_id: UUID, scope: ColumnElement[bool]) -> Referral | None:
    statement = select(Referral).where(Referral.id == referral_id, scope)
    return (await db.scalars(statement)).first()


async def get_any(db: AsyncSession, referral_id: UUID) -> Referral | None:
    """For the worker (no caller, no scope)."""
    return await db.get(Referral, referral_id, populate_existing=True)


async def active_for(
    db: AsyncSession, beneficiary_id: UUID, session_id: UUID, statuses: Sequence[str]
) -> Referral | None:
    statement = select(Referral).where(
        Referral.beneficiary_id == beneficiary_id,
        Referral.session_id == session_id,
        Referral.status.in_(list(statuses)),
    )
    return (await db.scalars(statement.limit(1))).first()


async def list_page(
    db: AsyncSession,
    scope: ColumnElement[bool],
    *,
    status: str | None,
    beneficiary_id: UUID | None,
    session_id: UUID | None,
    updated_since: datetime | None,
    page: PageParams,
) -> tuple[list[Referral], str | None]:
    statement: Select[Any] = select(Referral).where(scope)
    statement = where_equal(
        statement,
        {
            Referral.status: status,
            Referral.beneficiary_id: beneficiary_id,
            Referral.session_id: session_id,
        },
    )
    if updated_since is not None:
        statement = statement.where(Referral.updated_at >= updated_since)
    return await paginate(db, statement, SORT_KEYS, page, order_name="referrals")


async def history(db: AsyncSession, referral_ids: Sequence[UUID]) -> list[ReferralEvent]:
    if not referral_ids:
        return []
    statement = (
        select(ReferralEvent)
        .where(ReferralEvent.referral_id.in_(list(referral_ids)))
        .order_by(ReferralEvent.occurred_at, ReferralEvent.id)
    )
    return list((await db.scalars(statement)).all())


async def people(db: AsyncSession, beneficiary_ids: Sequence[UUID]) -> dict[UUID, Beneficiary]:
    if not beneficiary_ids:
        return {}
    statement = select(Beneficiary).where(Beneficiary.id.in_(sorted(set(beneficiary_ids))))
    return {row.id: row for row in (await db.scalars(statement)).all()}


async def move_if(
    db: AsyncSession, referral: Referral, expected: str, values: dict[str, Any]
) -> bool:
    """Move ``referral`` out of ``expected`` when it still is there (the request and the
    worker may settle one pending referral at once: only one of them moves it)."""
    statement = (
        update(Referral)
        .where(Referral.id == referral.id, Referral.status == expected)
        .values(**values, version=Referral.version + 1)
        .execution_options(synchronize_session=False, **FIGURES_UNCHANGED)
    )
    result = await db.execute(statement)
    moved = bool(getattr(result, "rowcount", 0))
    if moved:
        await db.refresh(referral)
    return moved


async def add_event(db: AsyncSession, event: ReferralEvent) -> None:
    db.add(event)
    await db.flush()
