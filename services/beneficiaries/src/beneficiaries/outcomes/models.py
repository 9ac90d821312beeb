"""``outcome``: where a person's support led (a job, a TPE, a cooperative…), and
``follow_up``: the checks at months 3, 6 and 12 that it still holds."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID, uuid4

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from beneficiaries.database import Base
from shared.db import UTCDateTime, utcnow


class Outcome(Base):
    __tablename__ = "outcome"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=uuid4)
    beneficiary_id: Mapped[UUID] = mapped_column(ForeignKey("beneficiary.id"))
    type: Mapped[str] = mapped_column(String(32))
    outcome_date: Mapped[date] = mapped_column(Date)
    evidence_note: Mapped[str | None] = mapped_column(Text)
    # Employment details (employer and contract for a job; sector and ISCO group for any).
    employer: Mapped[str | None] = mapped_column(String(200))
    contract_type: Mapped[str | None] = mapped_column(String(32))
    sector: Mapped[str | None] = mapped_column(String(32))
    isco_group: Mapped[str | None] = mapped_column(String(1))
    recorded_by: Mapped[str] = mapped_column(String(255))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_outcome_beneficiary_id_outcome_date", "beneficiary_id", "outcome_date"),
        Index("ix_outcome_outcome_date", "outcome_date"),
    )
    __mapper_args__ = {"version_id_col": version}


class FollowUp(Base):
    __tablename__ = "follow_up"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=uuid4)
    outcome_id: Mapped[UUID] = mapped_column(ForeignKey("outcome.id"))
    # The person, copied from the outcome: the scope and a counsellor's due list filter on it.
    beneficiary_id: Mapped[UUID] = mapped_column(ForeignKey("beneficiary.id"))
    month: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    # Whether the outcome still holds, once the follow-up is done.
    outcome_holds: Mapped[bool | None] = mapped_column(Boolean)
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str | None] = mapped_column(String(255))
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("outcome_id", "month"),
        Index("ix_follow_up_beneficiary_id_due_date", "beneficiary_id", "due_date"),
        Index("ix_follow_up_status_due_date_id", "status", "due_date", "id"),
    )
    __mapper_args__ = {"version_id_col": version}
