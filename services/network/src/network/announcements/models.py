"""The ``announcement`` table: information shared with a network or one of its working groups.

Like a membership, an announcement names its network even when it is a working group's, so the
scope of a network covers it with one indexed column.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from network.database import Base
from shared.columns import CodeList
from shared.db import UTCDateTime, utcnow


class Announcement(Base):
    __tablename__ = "announcement"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=uuid4)
    network_id: Mapped[UUID] = mapped_column(ForeignKey("network.id"))
    working_group_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("working_group.id"), index=True
    )
    region: Mapped[str] = mapped_column(String(2), index=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # Kinds of partners it is meant for (empty: every member).
    audience: Mapped[list[str]] = mapped_column(CodeList)
    # [{"title": ..., "url": ...}]
    links: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    author: Mapped[str] = mapped_column(String(255))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_announcement_network_id_created_at", "network_id", "created_at"),
        Index("ix_announcement_updated_at_id", "updated_at", "id"),
    )
    __mapper_args__ = {"version_id_col": version}
