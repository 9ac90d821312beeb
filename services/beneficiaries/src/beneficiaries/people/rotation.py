"""Key rotation: re-encrypt every identifier under the active key, batch by batch.

Idempotent and resumable: only values under another key are picked, so a second run (or a run
after a crash) carries on with what is left, and each batch commits on its own. A row rectified
meanwhile is skipped (its values are already under the active key). Each batch writes an audit
entry: the identifiers were decrypted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from beneficiaries.access import Access
from beneficiaries.audit import service as audit_service
from beneficiaries.encryption import Vault
from beneficiaries.people import repository
from beneficiaries.people.service import ENCRYPTED, TABLE
from beneficiaries.vocabulary import AuditAction, AuditPurpose
from shared.principal import Principal

ROTATOR = Access(Principal(subject="kafaat-beneficiaries rotate-keys", kind="client"))


@dataclass
class Rotation:
    rewritten: int = 0
    skipped: int = 0
    batches: int = 0


def _reencrypt(vault: Vault, stored: str | None, column: str, row_id: UUID) -> str | None:
    if stored is None or vault.is_current(stored):
        return stored
    clear = vault.decrypt(stored, table=TABLE, column=column, row_id=row_id)
    return vault.encrypt(clear, table=TABLE, column=column, row_id=row_id)


async def rotate_batch(
    db: AsyncSession, vault: Vault, after: UUID | None, limit: int, rotation: Rotation
) -> UUID | None:
    """Re-encrypt one batch after ``after``; the last id seen, None when nothing is left."""
    rows = await repository.not_under_key(db, vault.active_key_id, after, limit)
    if not rows:
        return None
    touched: list[UUID] = []
    for row_id, cin, phone in rows:
        new = (
            _reencrypt(vault, cin, ENCRYPTED["cin"], row_id),
            _reencrypt(vault, phone, ENCRYPTED["phone"], row_id),
        )
        if await repository.replace_ciphertexts(db, row_id, (cin, phone), new):
            rotation.rewritten += 1
            touched.append(row_id)
        else:
            rotation.skipped += 1
    await audit_service.record(
        db, ROTATOR, action=AuditAction.ROTATE_KEYS, purpose=AuditPurpose.SECURITY, records=touched
    )
    rotation.batches += 1
    return rows[-1][0]


async def rotate_keys(
    sessionmaker: async_sessionmaker[AsyncSession],
    vault: Vault,
    *,
    batch: int = 500,
    on_batch: Callable[[Rotation], None] | None = None,
) -> Rotation:
    """Re-encrypt everything not under the active key; commits per batch."""
    rotation = Rotation()
    after: UUID | None = None
    while True:
        async with sessionmaker() as db:
            after = await rotate_batch(db, vault, after, batch, rotation)
            await db.commit()
        if after is None:
            return rotation
        if on_batch is not None:
            on_batch(rotation)
