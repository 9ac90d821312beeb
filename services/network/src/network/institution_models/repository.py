"""Every SQL query on institutionalisation models."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from network.institution_models.models import InstitutionModel
from shared.pagination import PageParams, SortKey, paginate

SORT_KEYS = [SortKey(InstitutionModel.created_at), SortKey(InstitutionModel.id)]


async def get(db: AsyncSession, model_id: UUID) -> InstitutionModel | None:
    return await db.get(InstitutionModel, model_id)


async def name_taken(db: AsyncSession, name: str, other_than: UUID | None = None) -> bool:
    statement = select(InstitutionModel.id).where(InstitutionModel.name == name)
    if other_than is not None:
        statement = statement.where(InstitutionModel.id != other_than)
    return (await db.scalar(statement)) is not None


async def list_page(
    db: AsyncSession, page: PageParams
) -> tuple[list[InstitutionModel], str | None]:
    return await paginate(db, select(InstitutionModel), SORT_KEYS, page, order_name="models")
