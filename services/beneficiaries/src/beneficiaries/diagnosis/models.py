"""``diagnosis``: what a counsellor found at the start of a person's support (one per person,
kept up to date)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from beneficiaries.database import Base
from shared.db import UTCDateTime, utcnow


class Diagnosis(Base):
    __tablename__ = "diagnosis"

    beneficiary_id: Mapped[UUID] = mapped_column(ForeignKey("beneficiary.id"), primary_key=True)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    constraints: Mapped[list[str]] = mapped_column(JSON, default=list)
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    diagnosis_date: Mapped[date] = mapped_column(Date)
    author: Mapped[str] = mapped_column(String(255))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __mapper_args__ = {"version_id_col": version}
