from __future__ import annotations

import json
from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.access import Access
from beneficiaries.audit import service as audit_service
from beneficiaries.audit.chain import GENESIS_HASH, entry_hash
from beneficiaries.audit.models import AuditEntry, AuditEntryRecord
from beneficiaries.vocabulary import AuditAction, AuditPurpose
from shared.principal import Role
from shared.testing import make_principal


async def test_record_appends_a_chained_entry_naming_who_did_what_to_whom(
    db_session: AsyncSession,
) -> None:
    association_id = uuid4()
    principal = make_principal(role=Role.COUNSELLOR, association_id=association_id)
    access = Access(principal)
    people = [uuid4(), uuid4()]

    first = await audit_service.record(
        db_session, access, action=AuditAction.LIST, purpose=AuditPurpose.SUPPORT, records=people
    )
    second = await audit_service.record(
        db_session,
        access,
        action=AuditAction.READ,
        purpose=AuditPurpose.SUPPORT,
        records=[people[0]],
    )
    await db_session.commit()

    entries = (await db_session.scalars(select(AuditEntry).order_by(AuditEntry.sequence))).all()
    assert [entry.sequence for entry in entries] == [first, second] == [1, 2]
    assert entries[0].actor == principal.subject
    assert entries[0].role == "counsellor"
    assert entries[0].association_id == association_id
    assert entries[0].action == "list"
    assert json.loads(entries[0].records) == sorted(str(person) for person in people)
    assert entries[0].previous_hash == GENESIS_HASH
    assert entries[1].previous_hash == entries[0].hash
    for entry in entries:
        fields = {column: getattr(entry, column) for column in AuditEntry.__table__.columns.keys()}
        assert entry.hash == entry_hash(fields)
    touched = (
        await db_session.execute(select(AuditEntryRecord.sequence, AuditEntryRecord.beneficiary_id))
    ).all()
    assert sorted((row[0], str(row[1])) for row in touched) == sorted(
        [(1, str(people[0])), (1, str(people[1])), (2, str(people[0]))]
    )
