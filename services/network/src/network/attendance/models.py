"""The ``attendance`` table: who took part in an event."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from network.database import Base
from shared.db import UTCDateTime, utcnow


class Attendance(Base):
    """Who came (or was expected and did not come) to an event, or to one occurrence of a
    series (``occurrence_at``, the start of that occurrence)."""

    __tablename__ = "attendance"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=uuid4)
    event_id: Mapped[UUID] = mapped_column(ForeignKey("event.id"))
    occurrence_at: Mapped[datetime] = mapped_column(UTCDateTime)
    partner_id: Mapped[UUID] = mapped_column(ForeignKey("partner.id"), index=True)
    person_name: Mapped[str] = mapped_column(String(200))
    person_function: Mapped[str | None] = mapped_column(String(200))
    present: Mapped[bool]
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_attendance_event_id_occurrence_at", "event_id", "occurrence_at"),)
    __mapper_args__ = {"version_id_col": version}
