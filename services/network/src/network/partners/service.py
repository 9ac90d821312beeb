"""Rules on partners: who may add and change which, and what a coherent partner is.

A partner may act in several regions; the coordinators of any of them manage it, but only
within their own regions: a region a coordinator adds or removes must be one of theirs.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from network.access import Access
from network.partners import repository
from network.partners.models import Partner
from network.partners.schemas import PartnerCreate, PartnerQuery, PartnerRead, PartnerUpdate
from shared.db import utcnow
from shared.pagination import Page, PageParams
from shared.problems import FieldIssue, not_found, out_of_scope
from shared.text import fold
from shared.writes import apply_changes, flush_update

KIND = "partner"
NAME_KEY_LENGTH = 200


def name_key(name: str) -> str:
    return fold(name)[:NAME_KEY_LENGTH]


def region_issues(access: Access, before: Iterable[str], after: Iterable[str]) -> list[FieldIssue]:
    """Whether the caller may set the regions ``after`` over ``before`` (empty for a new
    partner): every region added or removed must be one it manages."""
    if access.everything:
        return []
    moved = set(before) ^ set(after)
    if moved - access.regions:
        return [("regions", "regions_you_coordinate")]
    return []


async def get(db: AsyncSession, partner_id: UUID) -> Partner | None:
    """The partner, whoever may see it (for the records that refer to it)."""
    return await repository.get(db, partner_id)


async def get_visible(db: AsyncSession, access: Access, partner_id: UUID) -> Partner:
    partner = await repository.get_visible(db, access, partner_id)
    if partner is None:
        raise not_found(KIND, partner_id)
    return partner


async def get_editable(db: AsyncSession, access: Access, partner_id: UUID) -> Partner:
    partner = await repository.get(db, partner_id)
    if partner is None or not access.may_manage_regions(partner.regions):
        raise not_found(KIND, partner_id)
    return partner


async def list_partners(
    db: AsyncSession, access: Access, filters: PartnerQuery, page: PageParams
) -> Page[PartnerRead]:
    rows, next_cursor = await repository.list_page(db, access, filters, page)
    return Page[PartnerRead](
        items=[PartnerRead.model_validate(row) for row in rows], next_cursor=next_cursor
    )


async def create(
    db: AsyncSession, access: Access, data: PartnerCreate, *, partner_id: UUID | None = None
) -> Partner:
    """A new partner; ``partner_id`` fixes its id (the demo partner the gateway's demo account
    belongs to), a new one otherwise."""
    issues = region_issues(access, (), data.regions)
    if issues:
        raise out_of_scope(*issues[0])
    now = utcnow()
    partner = Partner(
        **data.model_dump(),
        id=partner_id or uuid4(),
        name_key=name_key(data.name),
        created_at=now,
        updated_at=now,
    )
    db.add(partner)
    await db.flush()
    return partner


async def update(
    db: AsyncSession, access: Access, partner: Partner, data: PartnerUpdate, if_match: str | None
) -> Partner:
    changes = data.model_dump(exclude_unset=True)
    if "regions" in changes:
        issues = region_issues(access, partner.regions, changes["regions"])
        if issues:
            raise out_of_scope(*issues[0])
    if "name" in changes:
        changes["name_key"] = name_key(changes["name"])
    if apply_changes(partner, changes, if_match):
        await flush_update(db)
    return partner
