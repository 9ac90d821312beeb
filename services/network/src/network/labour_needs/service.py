"""Rules on labour needs: a partner declares the jobs it needs in a province of a region it
acts in. Its own members manage them, and so do the managers of the need's region; anybody
else (another partner's members included) finds no such need (404)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from network.access import Access
from network.labour_needs import repository
from network.labour_needs.models import LabourNeed
from network.labour_needs.schemas import (
    LabourNeedCreate,
    LabourNeedQuery,
    LabourNeedRead,
    LabourNeedUpdate,
)
from network.partners import service as partners_service
from shared.db import utcnow
from shared.fields import province_problem
from shared.pagination import Page, PageParams
from shared.problems import FieldIssue, msg, not_found, out_of_scope, raise_if_invalid
from shared.writes import apply_changes, flush_update

KIND = "labour need"


def horizon_year(horizon: str) -> int:
    return int(horizon[:4])


def check(values: Mapping[str, Any]) -> list[FieldIssue]:
    reason = province_problem(values["region"], values["province"])
    return [("province", reason)] if reason else []


async def partner_issues(db: AsyncSession, partner_id: UUID, region: str) -> list[FieldIssue]:
    partner = await partners_service.get(db, partner_id)
    if partner is None:
        return [("partner_id", "no_such_partner")]
    if region not in partner.regions:
        return [("region", msg("partner_not_in_region", region=region))]
    return []


async def get_visible(db: AsyncSession, access: Access, need_id: UUID) -> LabourNeed:
    need = await repository.get_visible(db, access, need_id)
    if need is None:
        raise not_found(KIND, need_id)
    return need


async def get_editable(db: AsyncSession, access: Access, need_id: UUID) -> LabourNeed:
    need = await repository.get(db, need_id)
    if need is None or not access.may_edit_partner_record(need.partner_id, need.region):
        raise not_found(KIND, need_id)
    return need


async def list_needs(
    db: AsyncSession, access: Access, filters: LabourNeedQuery, page: PageParams
) -> Page[LabourNeedRead]:
    rows, next_cursor = await repository.list_page(db, access, filters, page)
    return Page[LabourNeedRead](
        items=[LabourNeedRead.model_validate(row) for row in rows], next_cursor=next_cursor
    )


async def create(db: AsyncSession, access: Access, data: LabourNeedCreate) -> LabourNeed:
    partner_id = data.partner_id or access.partner_id
    if partner_id is None:
        raise out_of_scope("partner_id", "name_the_partner")
    if not access.may_edit_partner_record(partner_id, data.region):
        raise out_of_scope("partner_id", "own_partner_only")
    values = data.model_dump(exclude={"partner_id"})
    raise_if_invalid(check(values) + await partner_issues(db, partner_id, data.region))
    now = utcnow()
    need = LabourNeed(
        **values,
        partner_id=partner_id,
        horizon_year=horizon_year(data.horizon),
        created_at=now,
        updated_at=now,
    )
    db.add(need)
    await db.flush()
    return need


async def update(
    db: AsyncSession, access: Access, need: LabourNeed, data: LabourNeedUpdate, if_match: str | None
) -> LabourNeed:
    changes = data.model_dump(exclude_unset=True)
    merged = {"region": need.region, "province": need.province} | changes
    issues = check(merged)
    if "region" in changes:
        if not access.may_edit_partner_record(need.partner_id, changes["region"]):
            raise out_of_scope("region", "need_region_not_yours")
        issues += await partner_issues(db, need.partner_id, changes["region"])
    raise_if_invalid(issues)
    if "horizon" in changes:
        changes["horizon_year"] = horizon_year(changes["horizon"])
    if apply_changes(need, changes, if_match):
        await flush_update(db)
    return need


async def declared_positions(
    db: AsyncSession, dimension: str, region: str | None, year: int | None
) -> list[tuple[str, int, int]]:
    return await repository.declared_positions(db, dimension, region, year)
