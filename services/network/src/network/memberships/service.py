"""Rules on memberships: a partner in a network or in one of its working groups.

A member acts in the network's region; a membership ends on or after its start; one partner
never holds the same role twice at the same time in the same body (the network itself, or one
working group) — a second, overlapping one is refused rather than merged.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from network.access import Access
from network.memberships import repository
from network.memberships.models import Membership
from network.memberships.schemas import (
    MembershipCreate,
    MembershipQuery,
    MembershipRead,
    MembershipUpdate,
)
from network.networks import service as networks_service
from network.partners import service as partners_service
from shared.concurrency import check_if_match
from shared.db import utcnow
from shared.pagination import Page, PageParams
from shared.problems import FieldIssue, msg, not_found, raise_if_invalid
from shared.writes import apply_changes, flush_update

KIND = "membership"


def period_issues(since: date, until: date | None) -> list[FieldIssue]:
    if until is not None and until < since:
        return [("until", "membership_ends_before_start")]
    return []


def overlaps(since: date, until: date | None, other: Membership) -> bool:
    """Whether [since, until] and the other membership's period share a day (None: open)."""
    starts_before_other_ends = other.until is None or since <= other.until
    other_starts_before_end = until is None or other.since <= until
    return starts_before_other_ends and other_starts_before_end


def overlap_issues(
    since: date, until: date | None, role: str, others: Sequence[Membership]
) -> list[FieldIssue]:
    for other in others:
        if overlaps(since, until, other):
            ends = other.until.isoformat() if other.until else "open-ended"
            return [
                (
                    "since",
                    f"this partner is already {role} here from {other.since.isoformat()} "
                    f"({ends}) in membership {other.id}",
                )
            ]
    return []


async def partner_issues(db: AsyncSession, partner_id: UUID, region: str) -> list[FieldIssue]:
    partner = await partners_service.get(db, partner_id)
    if partner is None:
        return [("partner_id", "no_such_partner")]
    if region not in partner.regions:
        return [("partner_id", msg("partner_not_in_region", region=region))]
    return []


async def is_current_member(
    db: AsyncSession, network_id: UUID, partner_id: UUID, on: date | None = None
) -> bool:
    """Whether ``partner_id`` belongs to the network on ``on`` (today by default), itself or
    through one of its working groups: the check attendance and feeds rely on."""
    return await repository.is_current_member(db, network_id, partner_id, on or date.today())


async def get_visible(db: AsyncSession, access: Access, membership_id: UUID) -> Membership:
    membership = await repository.get_visible(db, access, membership_id)
    if membership is None:
        raise not_found(KIND, membership_id)
    return membership


async def get_managed(db: AsyncSession, access: Access, membership_id: UUID) -> Membership:
    membership = await repository.get(db, membership_id)
    if membership is None or not access.may_manage_region(membership.region):
        raise not_found(KIND, membership_id)
    return membership


async def visible_body(
    db: AsyncSession, access: Access, network_id: UUID | None, group_id: UUID | None
) -> tuple[UUID, UUID | None]:
    """The network id and working group id of a path's body, when the caller sees it (404
    otherwise)."""
    if group_id is not None:
        group = await networks_service.get_visible_group(db, access, group_id)
        return group.network_id, group.id
    if network_id is None:
        raise ValueError("a network or a working group")
    network = await networks_service.get_visible_network(db, access, network_id)
    return network.id, None


async def list_members(
    db: AsyncSession,
    access: Access,
    filters: MembershipQuery,
    page: PageParams,
    *,
    network_id: UUID | None = None,
    group_id: UUID | None = None,
) -> Page[MembershipRead]:
    """The memberships of a network itself, or of one of its working groups."""
    body_network, body_group = await visible_body(db, access, network_id, group_id)
    rows, next_cursor = await repository.list_page(db, body_network, body_group, filters, page)
    return Page[MembershipRead](
        items=[MembershipRead.model_validate(row) for row in rows], next_cursor=next_cursor
    )


async def create(
    db: AsyncSession,
    access: Access,
    data: MembershipCreate,
    *,
    network_id: UUID | None = None,
    group_id: UUID | None = None,
) -> Membership:
    if group_id is not None:
        group = await networks_service.get_managed_group(db, access, group_id)
        body_network, region, group_key = group.network_id, group.region, group.id
    elif network_id is not None:
        network = await networks_service.get_managed_network(db, access, network_id)
        body_network, region, group_key = network.id, network.region, None
    else:
        raise ValueError("a network or a working group")
    issues = period_issues(data.since, data.until) + await partner_issues(
        db, data.partner_id, region
    )
    raise_if_invalid(issues)
    others = await repository.same_seat(
        db, data.partner_id, body_network, group_key, data.role.value, None
    )
    raise_if_invalid(overlap_issues(data.since, data.until, data.role.value, others))
    now = utcnow()
    membership = Membership(
        **data.model_dump(),
        network_id=body_network,
        working_group_id=group_key,
        region=region,
        created_at=now,
        updated_at=now,
    )
    db.add(membership)
    await db.flush()
    return membership


async def update(
    db: AsyncSession, membership: Membership, data: MembershipUpdate, if_match: str | None
) -> Membership:
    changes = data.model_dump(exclude_unset=True)
    since = changes.get("since", membership.since)
    until = changes.get("until", membership.until)
    role = str(changes.get("role", membership.role))
    raise_if_invalid(period_issues(since, until))
    others = await repository.same_seat(
        db,
        membership.partner_id,
        membership.network_id,
        membership.working_group_id,
        role,
        membership.id,
    )
    raise_if_invalid(overlap_issues(since, until, role, others))
    if apply_changes(membership, changes, if_match):
        await flush_update(db)
    return membership


async def delete(db: AsyncSession, membership: Membership, if_match: str | None) -> None:
    """Remove a membership entered by mistake (one that ended gets an ``until`` instead)."""
    check_if_match(if_match, membership.version)
    await db.delete(membership)
    await flush_update(db)


async def is_current_group_member(
    db: AsyncSession, group_id: UUID, network_id: UUID, partner_id: UUID, on: date
) -> bool:
    """Whether ``partner_id`` takes part, on ``on``, in the working group ``group_id`` (of
    ``network_id``): a member of the group, or of the network itself. The check a group's
    attendance relies on (net-activity)."""
    return await repository.is_current_group_member(db, group_id, network_id, partner_id, on)
