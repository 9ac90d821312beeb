"""The ``decision`` and ``action_item`` tables: what an event decided, and who does what by when."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID, uuid4

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from network.database import Base
from shared.db import UTCDateTime, utcnow


class Decision(Base):
    __tablename__ = "decision"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=uuid4)
    event_id: Mapped[UUID] = mapped_column(ForeignKey("event.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __mapper_args__ = {"version_id_col": version}


class ActionItem(Base):
    """A task an event gave a partner; the event's network and region are copied so the
    overdue items of a region are one indexed query."""

    __tablename__ = "action_item"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=uuid4)
    event_id: Mapped[UUID] = mapped_column(ForeignKey("event.id"), index=True)
    decision_id: Mapped[UUID | None] = mapped_column(ForeignKey("decision.id"), index=True)
    network_id: Mapped[UUID] = mapped_column(ForeignKey("network.id"), index=True)
    region: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(300))
    owner_partner_id: Mapped[UUID] = mapped_column(ForeignKey("partner.id"), index=True)
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_action_item_region_status_due_date_id", "region", "status", "due_date", "id"),
        Index("ix_action_item_updated_at_id", "updated_at", "id"),
    )
    __mapper_args__ = {"version_id_col": version}
