"""Every SQL query on agreements, their parties, commitments and progress reports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from sqlalchemy import ColumnElement, delete, false, insert, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from network.access import Access
from network.agreements.models import Agreement, AgreementParty, Commitment, ProgressReport
from network.agreements.schemas import AgreementQuery
from shared.pagination import PageParams, SortKey, paginate, where_equal

_KEYS = [SortKey(Agreement.start_date), SortKey(Agreement.id)]


def scope_clause(access: Access) -> ColumnElement[bool]:
    """Agreements of the regions the caller reads, and those its partner is party to."""
    if access.everything:
        return true()
    clauses: list[ColumnElement[bool]] = []
    if access.read_regions:
        clauses.append(Agreement.region.in_(sorted(access.read_regions)))
    if access.partner_id is not None:
        parties = select(AgreementParty.agreement_id).where(
            AgreementParty.partner_id == access.partner_id
        )
        clauses.append(Agreement.id.in_(parties))
    if not clauses:
        return false()
    return or_(*clauses)


async def get(db: AsyncSession, agreement_id: UUID) -> Agreement | None:
    return await db.get(Agreement, agreement_id)


async def get_visible(db: AsyncSession, access: Access, agreement_id: UUID) -> Agreement | None:
    statement = select(Agreement).where(Agreement.id == agreement_id, scope_clause(access))
    return (await db.scalars(statement)).one_or_none()


async def list_page(
    db: AsyncSession, access: Access, filters: AgreementQuery, page: PageParams
) -> tuple[list[Agreement], str | None]:
    statement = where_equal(
        select(Agreement).where(scope_clause(access)),
        {
            Agreement.region: filters.region,
            Agreement.network_id: filters.network_id,
            Agreement.kind: filters.kind,
            Agreement.status: filters.status,
        },
    )
    if filters.partner_id is not None:
        parties = select(AgreementParty.agreement_id).where(
            AgreementParty.partner_id == filters.partner_id
        )
        statement = statement.where(Agreement.id.in_(parties))
    if filters.active_on is not None:
        day = filters.active_on
        statement = statement.where(
            Agreement.start_date <= day,
            or_(Agreement.end_date.is_(None), Agreement.end_date >= day),
        )
    if filters.updated_since is not None:
        statement = statement.where(Agreement.updated_at >= filters.updated_since)
    return await paginate(db, statement, _KEYS, page, order_name="agreements")


async def parties(db: AsyncSession, agreement_ids: Sequence[UUID]) -> dict[UUID, list[UUID]]:
    found: dict[UUID, list[UUID]] = {agreement_id: [] for agreement_id in agreement_ids}
    statement = (
        select(AgreementParty.agreement_id, AgreementParty.partner_id)
        .where(AgreementParty.agreement_id.in_(list(agreement_ids)))
        .order_by(AgreementParty.agreement_id, AgreementParty.partner_id)
    )
    for agreement_id, partner_id in (await db.execute(statement)).all():
        found[agreement_id].append(partner_id)
    return found


async def set_parties(db: AsyncSession, agreement_id: UUID, partner_ids: Sequence[UUID]) -> None:
    await db.execute(delete(AgreementParty).where(AgreementParty.agreement_id == agreement_id))
    await db.execute(
        insert(AgreementParty),
        [{"agreement_id": agreement_id, "partner_id": partner_id} for partner_id in partner_ids],
    )


async def commitments(db: AsyncSession, agreement_ids: Sequence[UUID]) -> list[Commitment]:
    statement = (
        select(Commitment)
        .where(Commitment.agreement_id.in_(list(agreement_ids)))
        .order_by(Commitment.created_at, Commitment.id)
    )
    return list((await db.scalars(statement)).all())


async def commitment(
    db: AsyncSession, agreement_id: UUID, commitment_id: UUID
) -> Commitment | None:
    statement = select(Commitment).where(
        Commitment.id == commitment_id, Commitment.agreement_id == agreement_id
    )
    return (await db.scalars(statement)).one_or_none()


async def reports(db: AsyncSession, commitment_ids: Sequence[UUID]) -> list[ProgressReport]:
    statement = (
        select(ProgressReport)
        .where(ProgressReport.commitment_id.in_(list(commitment_ids)))
        .order_by(ProgressReport.reported_on, ProgressReport.created_at)
    )
    return list((await db.scalars(statement)).all())


async def report_on(db: AsyncSession, commitment_id: UUID, day: date) -> ProgressReport | None:
    statement = select(ProgressReport).where(
        ProgressReport.commitment_id == commitment_id, ProgressReport.reported_on == day
    )
    return (await db.scalars(statement)).one_or_none()
