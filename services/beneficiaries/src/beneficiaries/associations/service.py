"""Rules on associations: who may add and change which, what a coherent record is."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.access import Access
from beneficiaries.associations import repository
from beneficiaries.associations.models import Association
from beneficiaries.associations.schemas import (
    AssociationCreate,
    AssociationQuery,
    AssociationRead,
    AssociationUpdate,
)
from shared.db import utcnow
from shared.fields import province_problem
from shared.pagination import Page, PageParams
from shared.problems import FieldIssue, not_found, out_of_scope, raise_if_invalid
from shared.text import fold
from shared.writes import apply_changes, flush_update

KIND = "association"
NAME_KEY_LENGTH = 200


def check(values: Mapping[str, Any]) -> list[FieldIssue]:
    reason = province_problem(values["region"], values.get("province"))
    return [("province", reason)] if reason else []


def name_key(name: str) -> str:
    return fold(name)[:NAME_KEY_LENGTH]


async def get(db: AsyncSession, association_id: UUID) -> Association | None:
    """The association, whoever may see it (for the records that refer to it)."""
    return await repository.get(db, association_id)


async def get_visible(db: AsyncSession, access: Access, association_id: UUID) -> Association:
    association = await repository.get(db, association_id)
    if association is None or not access.may_see_association(association.id, association.region):
        raise not_found(KIND, association_id)
    return association


async def get_editable(db: AsyncSession, access: Access, association_id: UUID) -> Association:
    association = await repository.get(db, association_id)
    if association is None or not access.may_edit_association(association.region):
        raise not_found(KIND, association_id)
    return association


async def list_associations(
    db: AsyncSession, access: Access, filters: AssociationQuery, page: PageParams
) -> Page[AssociationRead]:
    rows, next_cursor = await repository.list_page(db, access, filters, page)
    return Page[AssociationRead](
        items=[AssociationRead.model_validate(row) for row in rows], next_cursor=next_cursor
    )


async def create(
    db: AsyncSession, access: Access, data: AssociationCreate, association_id: UUID | None = None
) -> Association:
    """Add an association in one of the caller's regions (anywhere for an admin);
    ``association_id`` is for the demo data, whose id the gateway's demo accounts name."""
    if not access.may_edit_association(data.region):
        raise out_of_scope("region", "add_associations_in_your_regions")
    values = data.model_dump()
    raise_if_invalid(check(values))
    now = utcnow()
    association = Association(
        **values,
        id=association_id or uuid4(),
        name_key=name_key(data.name),
        version=1,
        created_at=now,
        updated_at=now,
    )
    db.add(association)
    await db.flush()
    return association


async def update(
    db: AsyncSession,
    access: Access,
    association: Association,
    data: AssociationUpdate,
    if_match: str | None,
) -> Association:
    changes = data.model_dump(exclude_unset=True)
    if "region" in changes and not access.may_edit_association(changes["region"]):
        raise out_of_scope("region", "move_associations_within_your_regions")
    merged = {name: getattr(association, name) for name in AssociationUpdate.model_fields}
    raise_if_invalid(check(merged | changes))
    if "name" in changes:
        changes["name_key"] = name_key(changes["name"])
    if apply_changes(association, changes, if_match):
        await flush_update(db)
    return association
