"""Every SQL query on people."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, String, and_, func, or_, select, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.access import Access
from beneficiaries.people.models import Beneficiary
from beneficiaries.people.schemas import BeneficiaryQuery, BeneficiarySort
from beneficiaries.repository import only_visible
from beneficiaries.stats.tracking import FIGURES_UNCHANGED
from shared.columns import contains_code
from shared.pagination import PageParams, SortKey, paginate, where_equal
from shared.text import contains_pattern, search_terms

SORT_KEYS: dict[BeneficiarySort, list[SortKey]] = {
    BeneficiarySort.NAME: [SortKey(Beneficiary.name_key), SortKey(Beneficiary.id)],
    BeneficiarySort.UPDATED: [SortKey(Beneficiary.updated_at), SortKey(Beneficiary.id)],
    BeneficiarySort.RECENT: [
        SortKey(Beneficiary.updated_at, descending=True),
        SortKey(Beneficiary.id, descending=True),
    ],
}


async def get(db: AsyncSession, beneficiary_id: UUID) -> Beneficiary | None:
    return await db.get(Beneficiary, beneficiary_id)


async def list_page(
    db: AsyncSession, access: Access, filters: BeneficiaryQuery, page: PageParams
) -> tuple[list[Beneficiary], str | None]:
    statement: Select[Any] = only_visible(select(Beneficiary), access)
    statement = where_equal(
        statement,
        {
            Beneficiary.journey_stage: filters.journey_stage,
            Beneficiary.counsellor_id: filters.counsellor_id,
            Beneficiary.province: filters.province,
            Beneficiary.association_id: filters.association_id,
        },
    )
    if filters.criterion is not None:
        criteria = type_coerce(Beneficiary.criteria, String)
        statement = statement.where(criteria.like(contains_code(filters.criterion.value)))
    if filters.updated_since is not None:
        statement = statement.where(Beneficiary.updated_at >= filters.updated_since)
    for term in search_terms(filters.q or ""):
        statement = statement.where(Beneficiary.name_key.like(contains_pattern(term)))
    sort = filters.sort
    return await paginate(db, statement, SORT_KEYS[sort], page, order_name=f"people{sort}")


async def with_cin_index(
    db: AsyncSession, cin_index: str, *, excluding: UUID | None = None
) -> list[tuple[UUID, UUID]]:
    """(id, association id) of every person whose CIN has this blind index."""
    statement = select(Beneficiary.id, Beneficiary.association_id).where(
        Beneficiary.cin_index == cin_index
    )
    if excluding is not None:
        statement = statement.where(Beneficiary.id != excluding)
    return [(row[0], row[1]) for row in (await db.execute(statement)).all()]


async def flagged_page(db: AsyncSession, page: PageParams) -> tuple[list[Beneficiary], str | None]:
    statement: Select[Any] = select(Beneficiary).where(Beneficiary.possible_duplicate.is_(True))
    keys = [SortKey(Beneficiary.created_at), SortKey(Beneficiary.id)]
    return await paginate(db, statement, keys, page, order_name="duplicates")


async def matches_of(db: AsyncSession, people: Sequence[Beneficiary]) -> dict[UUID, list[UUID]]:
    """For each person, the others with the same CIN index."""
    indexes = {person.cin_index for person in people if person.cin_index}
    if not indexes:
        return {}
    rows = (
        await db.execute(
            select(Beneficiary.id, Beneficiary.cin_index).where(
                Beneficiary.cin_index.in_(sorted(indexes))
            )
        )
    ).all()
    by_index: dict[str, list[UUID]] = {}
    for row_id, index in rows:
        by_index.setdefault(str(index), []).append(row_id)
    return {
        person.id: sorted(
            other for other in by_index.get(person.cin_index or "", []) if other != person.id
        )
        for person in people
    }


def _under_another_key(key_id: str) -> ColumnElement[bool]:
    prefix = f"{key_id}:%"
    return or_(
        and_(Beneficiary.cin_encrypted.is_not(None), Beneficiary.cin_encrypted.not_like(prefix)),
        and_(
            Beneficiary.phone_encrypted.is_not(None),
            Beneficiary.phone_encrypted.not_like(prefix),
        ),
    )


async def count_not_under_key(db: AsyncSession, key_id: str) -> int:
    """How many people have an identifier encrypted under another key than ``key_id``."""
    statement = select(func.count()).select_from(Beneficiary).where(_under_another_key(key_id))
    return int((await db.execute(statement)).scalar_one())


async def not_under_key(
    db: AsyncSession, key_id: str, after: UUID | None, limit: int
) -> list[tuple[UUID, str | None, str | None]]:
    """(id, cin_encrypted, phone_encrypted) of up to ``limit`` people, by id after ``after``,
    with an identifier encrypted under another key than ``key_id``."""
    statement = (
        select(Beneficiary.id, Beneficiary.cin_encrypted, Beneficiary.phone_encrypted)
        .where(_under_another_key(key_id))
        .order_by(Beneficiary.id)
        .limit(limit)
    )
    if after is not None:
        statement = statement.where(Beneficiary.id > after)
    return [(row[0], row[1], row[2]) for row in (await db.execute(statement)).all()]


async def replace_ciphertexts(
    db: AsyncSession,
    beneficiary_id: UUID,
    old: tuple[str | None, str | None],
    new: tuple[str | None, str | None],
) -> bool:
    """Store re-encrypted identifiers unless the row changed meanwhile (its ciphertexts are
    compared): a rectification in between already wrote under the active key. The version
    stays: the content did not change."""
    result = await db.execute(
        update(Beneficiary)
        .where(
            Beneficiary.id == beneficiary_id,
            _same(Beneficiary.cin_encrypted, old[0]),
            _same(Beneficiary.phone_encrypted, old[1]),
        )
        .values(cin_encrypted=new[0], phone_encrypted=new[1])
        .execution_options(synchronize_session=False, **FIGURES_UNCHANGED)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _same(column: Any, value: str | None) -> Any:
    return column.is_(None) if value is None else column == value
