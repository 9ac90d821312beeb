"""Every SQL query on memberships."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from network.access import Access
from network.memberships.models import Membership
from network.memberships.schemas import MembershipQuery, MembershipSort
from network.repository import current_membership, networks_visible
from shared.pagination import PageParams, SortKey, paginate, where_equal

SORT_KEYS: dict[MembershipSort, list[SortKey]] = {
    MembershipSort.SINCE: [SortKey(Membership.since), SortKey(Membership.id)],
    MembershipSort.UPDATED: [SortKey(Membership.updated_at), SortKey(Membership.id)],
    MembershipSort.RECENT: [
        SortKey(Membership.updated_at, descending=True),
        SortKey(Membership.id, descending=True),
    ],
}


async def get(db: AsyncSession, membership_id: UUID) -> Membership | None:
    return await db.get(Membership, membership_id)


async def get_visible(db: AsyncSession, access: Access, membership_id: UUID) -> Membership | None:
    statement = select(Membership).where(
        Membership.id == membership_id,
        networks_visible(access, Membership.network_id, Membership.region),
    )
    return (await db.scalars(statement)).first()


async def same_seat(
    db: AsyncSession,
    partner_id: UUID,
    network_id: UUID,
    working_group_id: UUID | None,
    role: str,
    other_than: UUID | None,
) -> list[Membership]:
    """The memberships of ``partner_id`` with ``role`` in the same body (the network itself,
    or one working group)."""
    statement = select(Membership).where(
        Membership.partner_id == partner_id,
        Membership.network_id == network_id,
        Membership.role == role,
        Membership.working_group_id.is_(None)
        if working_group_id is None
        else Membership.working_group_id == working_group_id,
    )
    if other_than is not None:
        statement = statement.where(Membership.id != other_than)
    return list((await db.scalars(statement)).all())


async def is_current_member(db: AsyncSession, network_id: UUID, partner_id: UUID, on: date) -> bool:
    statement = select(Membership.id).where(
        Membership.network_id == network_id,
        Membership.partner_id == partner_id,
        current_membership(on),
    )
    return (await db.scalar(statement.limit(1))) is not None


async def list_page(
    db: AsyncSession,
    network_id: UUID,
    working_group_id: UUID | None,
    filters: MembershipQuery,
    page: PageParams,
) -> tuple[list[Membership], str | None]:
    statement: Select[Any] = select(Membership).where(Membership.network_id == network_id)
    if working_group_id is None:
        statement = statement.where(Membership.working_group_id.is_(None))
    else:
        statement = statement.where(Membership.working_group_id == working_group_id)
    statement = where_equal(
        statement, {Membership.partner_id: filters.partner_id, Membership.role: filters.role}
    )
    if filters.current_on is not None:
        statement = statement.where(current_membership(filters.current_on))
    if filters.updated_since is not None:
        statement = statement.where(Membership.updated_at >= filters.updated_since)
    sort = filters.sort
    return await paginate(db, statement, SORT_KEYS[sort], page, order_name=f"members{sort}")


async def is_current_group_member(
    db: AsyncSession, group_id: UUID, network_id: UUID, partner_id: UUID, on: date
) -> bool:
    """A member of the group itself, or of its network itself (not of a sibling group)."""
    statement = select(Membership.id).where(
        Membership.network_id == network_id,
        Membership.partner_id == partner_id,
        (Membership.working_group_id == group_id) | Membership.working_group_id.is_(None),
        current_membership(on),
    )
    return (await db.scalar(statement.limit(1))) is not None
