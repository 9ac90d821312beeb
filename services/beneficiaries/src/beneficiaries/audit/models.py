"""``audit_entry``: who did what with whose personal data, append-only and hash-chained; and
``audit_entry_record``: the people each entry touched, so one person's access log is an index
lookup.

Each entry's ``hash`` is SHA-256 over the canonical encoding of its fields and the previous
entry's hash (``beneficiaries.audit.chain``): removing or editing an entry breaks the chain at
that sequence number.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from beneficiaries.database import Base
from shared.db import UTCDateTime


class AuditEntry(Base):
    __tablename__ = "audit_entry"

    # Given by the writer (previous + 1) under the chain's lock, never by the database.
    sequence: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(255))
    actor_kind: Mapped[str] = mapped_column(String(16))
    role: Mapped[str | None] = mapped_column(String(32))
    association_id: Mapped[UUID | None] = mapped_column(Uuid)
    request_id: Mapped[str | None] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32))
    purpose: Mapped[str] = mapped_column(String(32))
    # The ids of the people touched, as a JSON list of strings (sorted), part of the hash.
    records: Mapped[str] = mapped_column(Text)
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_audit_entry_occurred_at", "occurred_at"),)


class AuditEntryRecord(Base):
    __tablename__ = "audit_entry_record"

    sequence: Mapped[int] = mapped_column(
        ForeignKey("audit_entry.sequence"), primary_key=True, autoincrement=False
    )
    beneficiary_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)

    __table_args__ = (
        Index("ix_audit_entry_record_beneficiary_id_sequence", "beneficiary_id", "sequence"),
    )
