"""Institutionalisation models: reference data every network chooses from; admins add more."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from network.institution_models import repository
from network.institution_models.models import InstitutionModel
from network.institution_models.schemas import (
    InstitutionModelCreate,
    InstitutionModelRead,
    InstitutionModelUpdate,
)
from shared.db import utcnow
from shared.pagination import Page, PageParams
from shared.problems import ProblemError, conflict, not_found
from shared.writes import apply_changes, flush_insert, flush_update

KIND = "institutionalisation model"


def _name_taken(name: str) -> ProblemError:
    return conflict(
        "model_name_taken",
        params={"name": name},
        slug="duplicate-name",
        field="name",
        reason="model_name_used",
    )


async def get(db: AsyncSession, model_id: UUID) -> InstitutionModel:
    model = await repository.get(db, model_id)
    if model is None:
        raise not_found(KIND, model_id)
    return model


async def exists(db: AsyncSession, model_id: UUID) -> bool:
    return await repository.get(db, model_id) is not None


async def list_models(db: AsyncSession, page: PageParams) -> Page[InstitutionModelRead]:
    rows, next_cursor = await repository.list_page(db, page)
    return Page[InstitutionModelRead](
        items=[InstitutionModelRead.model_validate(row) for row in rows], next_cursor=next_cursor
    )


async def create(db: AsyncSession, data: InstitutionModelCreate) -> InstitutionModel:
    if await repository.name_taken(db, data.name):
        raise _name_taken(data.name)
    now = utcnow()
    model = InstitutionModel(
        name=data.name,
        description=data.description,
        governance=data.governance.model_dump(mode="json"),
        created_at=now,
        updated_at=now,
    )
    db.add(model)
    await flush_insert(db, lambda: _name_taken(data.name))
    return model


async def update(
    db: AsyncSession, model: InstitutionModel, data: InstitutionModelUpdate, if_match: str | None
) -> InstitutionModel:
    changes = data.model_dump(mode="json", exclude_unset=True)
    if "name" in changes and await repository.name_taken(db, changes["name"], model.id):
        raise _name_taken(changes["name"])
    if apply_changes(model, changes, if_match):
        await flush_update(db)
    return model
