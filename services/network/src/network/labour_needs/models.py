"""The ``labour_need`` table: the jobs a partner says it needs."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from network.database import Base
from shared.db import UTCDateTime, utcnow


class LabourNeed(Base):
    __tablename__ = "labour_need"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=uuid4)
    partner_id: Mapped[UUID] = mapped_column(ForeignKey("partner.id"), index=True)
    region: Mapped[str] = mapped_column(String(2))
    province: Mapped[str] = mapped_column(String(6))
    sector: Mapped[str] = mapped_column(String(32))
    isco_group: Mapped[str] = mapped_column(String(1))
    positions: Mapped[int] = mapped_column(Integer)
    # ``2027`` or ``2027-Q1``; its year, apart, is what the demand figures group by.
    horizon: Mapped[str] = mapped_column(String(7))
    horizon_year: Mapped[int] = mapped_column(Integer)
    contract_type: Mapped[str] = mapped_column(String(16))
    skills: Mapped[list[str]] = mapped_column(JSON)
    notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        # The demand figures: one region's year.
        Index("ix_labour_need_region_horizon_year", "region", "horizon_year"),
        Index("ix_labour_need_updated_at_id", "updated_at", "id"),
    )
    __mapper_args__ = {"version_id_col": version}
