"""``support_action``: what was done with a person (coaching, a workshop, job-search help…)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID, uuid4

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from beneficiaries.database import Base
from shared.db import UTCDateTime, utcnow


class SupportAction(Base):
    __tablename__ = "support_action"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=uuid4)
    beneficiary_id: Mapped[UUID] = mapped_column(ForeignKey("beneficiary.id"))
    kind: Mapped[str] = mapped_column(String(32))
    action_date: Mapped[date] = mapped_column(Date)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    attended: Mapped[bool] = mapped_column(Boolean)
    author: Mapped[str] = mapped_column(String(255))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index(
            "ix_support_action_beneficiary_id_action_date_id", "beneficiary_id", "action_date", "id"
        ),
    )
    __mapper_args__ = {"version_id_col": version}
