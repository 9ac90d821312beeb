"""The ``partner`` table: organisations taking part in the regional networks."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from network.database import Base
from shared.columns import CodeList
from shared.db import UTCDateTime, utcnow


class Partner(Base):
    __tablename__ = "partner"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=uuid4)
    name: Mapped[str] = mapped_column(String(200))
    # Folded name (shared.text.fold): sort order and search.
    name_key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    # Reference sector codes and region codes (a partner acts in one region or more).
    sectors: Mapped[list[str]] = mapped_column(CodeList)
    regions: Mapped[list[str]] = mapped_column(CodeList)
    size_band: Mapped[str | None] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    website: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_partner_name_key_id", "name_key", "id"),
        Index("ix_partner_updated_at_id", "updated_at", "id"),
    )
    __mapper_args__ = {"version_id_col": version}
