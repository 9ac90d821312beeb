"""The ``consent`` table: every decision of a person about one purpose, kept (append-only); the
latest per purpose is the one in force."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID, uuid4

from sqlalchemy import Date, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from beneficiaries.database import Base
from shared.db import UTCDateTime, utcnow


class Consent(Base):
    __tablename__ = "consent"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=uuid4)
    beneficiary_id: Mapped[UUID] = mapped_column(ForeignKey("beneficiary.id"))
    purpose: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    # The day the person decided (may be before it was recorded).
    decision_date: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(16))
    recorded_by: Mapped[str] = mapped_column(String(255))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index(
            "ix_consent_beneficiary_id_purpose_recorded_at",
            "beneficiary_id",
            "purpose",
            "recorded_at",
        ),
    )
