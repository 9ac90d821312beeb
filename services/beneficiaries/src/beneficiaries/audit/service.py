"""The audit trail of personal data, fail-closed.

Every read, list, search, export and change of personal data calls :func:`record` in the
request's transaction, before answering: the entry commits with the work or not at all, and when
it cannot be written the request fails with a 503 problem and nothing it did is kept.

    await audit_service.record(db, access, action=AuditAction.READ,
                               purpose=AuditPurpose.SUPPORT, records=[beneficiary.id])
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.access import Access
from beneficiaries.audit import repository
from beneficiaries.audit.chain import CHAINED_FIELDS, GENESIS_HASH, encode_records, entry_hash
from beneficiaries.audit.schemas import AccessLogEntry
from beneficiaries.vocabulary import AuditAction, AuditPurpose
from shared.db import utcnow
from shared.observability import current_request_id
from shared.pagination import Page, PageParams
from shared.problems import ProblemError

logger = logging.getLogger(__name__)


def audit_unavailable() -> ProblemError:
    return ProblemError(
        503,
        "audit_unavailable",
        slug="audit-unavailable",
        headers={"Retry-After": "5"},
    )


async def record(
    db: AsyncSession,
    access: Access,
    *,
    action: str,
    purpose: str,
    records: Sequence[UUID],
) -> int:
    """Append one entry: ``access``'s caller did ``action`` for ``purpose`` on the people whose
    ids are ``records`` (beneficiary ids: an entry about a plan or a referral names its
    person). Returns the entry's sequence number; raises a 503 problem when it cannot be
    written."""
    principal = access.principal
    people = sorted(set(records))
    try:
        await repository.lock_chain(db)
        last = await repository.head(db)
        sequence, previous_hash = (1, GENESIS_HASH) if last is None else (last[0] + 1, last[1])
        entry = {
            "sequence": sequence,
            "occurred_at": utcnow(),
            "actor": principal.subject,
            "actor_kind": principal.kind,
            "role": None if principal.role is None else principal.role.value,
            "association_id": principal.association_id,
            "request_id": current_request_id(),
            "action": str(action),
            "purpose": str(purpose),
            "records": encode_records(people),
            "previous_hash": previous_hash,
        }
        entry["hash"] = entry_hash(entry)
        await repository.append(db, entry, people)
    except SQLAlchemyError as exc:
        # No detail of the entry in the log: it names people.
        logger.error("audit entry could not be written: %s", type(exc).__name__)
        raise audit_unavailable() from exc
    return sequence


def purpose_of(access: Access) -> AuditPurpose:
    """Why the caller processes personal data, when the route does not say more: a case file
    is opened for support by its association, and overseen by admins."""
    return AuditPurpose.OVERSIGHT if access.everything else AuditPurpose.SUPPORT


async def entry_count(db: AsyncSession) -> int:
    return await repository.count_entries(db)


async def access_log(
    db: AsyncSession, access: Access, beneficiary_id: UUID, page: PageParams
) -> Page[AccessLogEntry]:
    """Who touched the person's data, newest first; reading it is itself an entry."""
    await record(
        db,
        access,
        action=AuditAction.READ,
        purpose=AuditPurpose.OVERSIGHT,
        records=[beneficiary_id],
    )
    rows, next_cursor = await repository.access_log_page(db, beneficiary_id, page)
    return Page[AccessLogEntry](
        items=[AccessLogEntry.model_validate(row) for row in rows], next_cursor=next_cursor
    )


@dataclass(frozen=True)
class Verification:
    """What ``verify-audit`` found: the entries checked and the first broken one, if any."""

    checked: int
    first_bad_sequence: int | None = None
    reason: str | None = None

    @property
    def intact(self) -> bool:
        return self.first_bad_sequence is None


async def verify(
    db: AsyncSession, *, batch: int = 5000, on_batch: Callable[[int], None] | None = None
) -> Verification:
    """Walk the chain from the first entry: a gap in the sequence (an entry removed), an
    entry whose hash does not match its fields (altered), one that does not name its
    predecessor's hash (re-chained), or people listed apart from the entry's own list.
    ``on_batch`` hears how many entries each batch held."""
    previous_sequence, previous_hash, checked = 0, GENESIS_HASH, 0
    while True:
        entries = await repository.entries_from(db, previous_sequence, batch)
        if not entries:
            return Verification(checked)
        for entry, touched in entries:
            expected = previous_sequence + 1
            if entry.sequence != expected:
                return Verification(checked, expected, "entry missing")
            fields = {name: getattr(entry, name) for name in CHAINED_FIELDS}
            if entry.previous_hash != previous_hash:
                return Verification(checked, entry.sequence, "does not follow the previous entry")
            if entry_hash(fields) != entry.hash:
                return Verification(checked, entry.sequence, "altered (hash mismatch)")
            if encode_records(touched) != entry.records:
                return Verification(checked, entry.sequence, "people touched altered")
            previous_sequence, previous_hash = entry.sequence, entry.hash
            checked += 1
        if on_batch is not None:
            on_batch(len(entries))
