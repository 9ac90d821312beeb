"""The ``event`` table: meetings, trainings, seminars, study visits and workshops of a network or
of one of its working groups.

``network_id`` is always set (a working group's event names the group's network too) and the
network's region is copied, as memberships do: the scope, the agenda and the figures filter one
table. ``last_starts_at`` is the start of a series' last occurrence (NULL: no end), so the
agenda finds the events with an occurrence in a window without expanding any rule.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from network.database import Base
from shared.db import UTCDateTime, utcnow


class Event(Base):
    __tablename__ = "event"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=uuid4)
    network_id: Mapped[UUID] = mapped_column(ForeignKey("network.id"))
    working_group_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("working_group.id"), index=True
    )
    # The network's region, copied (a network never changes region).
    region: Mapped[str] = mapped_column(String(2))
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str | None] = mapped_column(String(300))
    agenda: Mapped[str | None] = mapped_column(Text)
    # Canonical RRULE value (network.events.recurrence); NULL for a single event.
    recurrence: Mapped[str | None] = mapped_column(String(200))
    # The last occurrence's start: starts_at for a single event, NULL for an endless series.
    last_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))
    minutes: Mapped[str | None] = mapped_column(Text)
    # RFC 5545 SEQUENCE: moves on with each change a calendar shows (not the minutes).
    sequence: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        # The agenda and the figures of a region: single events by start, series by end.
        Index("ix_event_region_starts_at_id", "region", "starts_at", "id"),
        Index("ix_event_region_last_starts_at", "region", "last_starts_at"),
        Index("ix_event_network_id_starts_at", "network_id", "starts_at"),
        Index("ix_event_updated_at_id", "updated_at", "id"),
    )
    __mapper_args__ = {"version_id_col": version}
