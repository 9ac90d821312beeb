"""The ``network`` and ``working_group`` tables.

A network lives in one region for good (its region is never changed), so its working groups copy
the region: every scope predicate filters one table.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID, uuid4

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from network.database import Base
from shared.db import UTCDateTime, utcnow


class Network(Base):
    __tablename__ = "network"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=uuid4)
    region: Mapped[str] = mapped_column(String(2), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    model_id: Mapped[UUID] = mapped_column(ForeignKey("institution_model.id"), index=True)
    founding_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_network_updated_at_id", "updated_at", "id"),)
    __mapper_args__ = {"version_id_col": version}


class WorkingGroup(Base):
    __tablename__ = "working_group"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=uuid4)
    network_id: Mapped[UUID] = mapped_column(ForeignKey("network.id"), index=True)
    # The network's region, copied (a network never changes region).
    region: Mapped[str] = mapped_column(String(2), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # A theme, a reference sector, or both (at least one).
    theme: Mapped[str | None] = mapped_column(String(300))
    sector: Mapped[str | None] = mapped_column(String(32), index=True)
    chair_partner_id: Mapped[UUID | None] = mapped_column(ForeignKey("partner.id"), index=True)
    # Free text ("first Tuesday of the month"); a recurrence rule belongs to the events.
    meeting_rhythm: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_working_group_updated_at_id", "updated_at", "id"),)
    __mapper_args__ = {"version_id_col": version}
