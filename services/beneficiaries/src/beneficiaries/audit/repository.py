"""Every SQL statement of the audit trail."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Select, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.audit.models import AuditEntry, AuditEntryRecord
from shared.pagination import PageParams, SortKey, paginate

# Any constant that no other part of the service uses as an advisory lock key.
_CHAIN_LOCK_KEY = 0x6B61666161745F61  # "kafaat_a"


async def lock_chain(db: AsyncSession) -> None:
    """Serialise appends until the transaction ends, so two writers never fork the chain.

    PostgreSQL: a transaction-scoped advisory lock. SQLite has one writer at a time; a write
    statement that touches no row takes its write lock now, before the head is read.
    """
    if db.get_bind().dialect.name == "postgresql":
        await db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})
    else:
        await db.execute(
            update(AuditEntry).where(AuditEntry.sequence < 0).values(sequence=AuditEntry.sequence)
        )


async def head(db: AsyncSession) -> tuple[int, str] | None:
    """The last entry's sequence number and hash."""
    row = (
        await db.execute(
            select(AuditEntry.sequence, AuditEntry.hash)
            .order_by(AuditEntry.sequence.desc())
            .limit(1)
        )
    ).first()
    return None if row is None else (row[0], row[1])


async def append(db: AsyncSession, entry: dict[str, Any], records: Sequence[UUID]) -> None:
    await db.execute(insert(AuditEntry), [entry])
    if records:
        await db.execute(
            insert(AuditEntryRecord),
            [{"sequence": entry["sequence"], "beneficiary_id": record} for record in records],
        )


async def access_log_page(
    db: AsyncSession, beneficiary_id: UUID, page: PageParams
) -> tuple[list[AuditEntry], str | None]:
    """The entries that touched one person, newest first."""
    statement: Select[Any] = (
        select(AuditEntry)
        .join(AuditEntryRecord, AuditEntryRecord.sequence == AuditEntry.sequence)
        .where(AuditEntryRecord.beneficiary_id == beneficiary_id)
    )
    keys = [SortKey(AuditEntry.sequence, descending=True)]
    return await paginate(db, statement, keys, page, order_name="access-log")


async def count_entries(db: AsyncSession) -> int:
    return int((await db.execute(select(func.count()).select_from(AuditEntry))).scalar_one())


async def entries_from(
    db: AsyncSession, after: int, limit: int
) -> list[tuple[AuditEntry, list[UUID]]]:
    """Up to ``limit`` entries after sequence ``after``, in order, with the people each one
    lists in ``audit_entry_record``."""
    entries = list(
        (
            await db.scalars(
                select(AuditEntry)
                .where(AuditEntry.sequence > after)
                .order_by(AuditEntry.sequence)
                .limit(limit)
            )
        ).all()
    )
    if not entries:
        return []
    rows = (
        await db.execute(
            select(AuditEntryRecord.sequence, AuditEntryRecord.beneficiary_id).where(
                AuditEntryRecord.sequence.between(entries[0].sequence, entries[-1].sequence)
            )
        )
    ).all()
    touched: dict[int, list[UUID]] = {}
    for sequence, beneficiary_id in rows:
        touched.setdefault(sequence, []).append(beneficiary_id)
    return [(entry, touched.get(entry.sequence, [])) for entry in entries]
