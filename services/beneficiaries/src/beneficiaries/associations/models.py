"""The ``association`` table: the organisations that follow people."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from beneficiaries.database import Base
from shared.columns import CodeList
from shared.db import UTCDateTime, utcnow


class Association(Base):
    __tablename__ = "association"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=uuid4)
    name: Mapped[str] = mapped_column(String(200))
    # Folded name (shared.text.fold): sort order and search.
    name_key: Mapped[str] = mapped_column(String(200))
    legal_id: Mapped[str | None] = mapped_column(String(64))
    region: Mapped[str] = mapped_column(String(2), index=True)
    province: Mapped[str | None] = mapped_column(String(6))
    sectors: Mapped[list[str]] = mapped_column(CodeList, default=list)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_association_name_key_id", "name_key", "id"),
        Index("ix_association_updated_at_id", "updated_at", "id"),
    )
    __mapper_args__ = {"version_id_col": version}
