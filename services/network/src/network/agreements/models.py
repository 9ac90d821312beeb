"""The ``agreement`` (partnership convention), ``agreement_party``, ``commitment`` and
``progress_report`` tables.

A commitment is quantified (30 internships in textile: quantity, unit, sector); progress reports
give the quantity achieved *to date* on their day, so the latest report is the progress and a
correction is a new report, never an edit of history.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID, uuid4

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from network.database import Base
from shared.db import UTCDateTime, utcnow


class Agreement(Base):
    __tablename__ = "agreement"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=uuid4)
    region: Mapped[str] = mapped_column(String(2))
    # The network the convention was concluded in, when there is one (of the same region).
    network_id: Mapped[UUID | None] = mapped_column(ForeignKey("network.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(32))
    objectives: Mapped[str | None] = mapped_column(Text)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    signed_date: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_agreement_region_start_date", "region", "start_date"),
        Index("ix_agreement_updated_at_id", "updated_at", "id"),
    )
    __mapper_args__ = {"version_id_col": version}


class AgreementParty(Base):
    __tablename__ = "agreement_party"

    agreement_id: Mapped[UUID] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), primary_key=True
    )
    partner_id: Mapped[UUID] = mapped_column(ForeignKey("partner.id"), primary_key=True, index=True)


class Commitment(Base):
    __tablename__ = "commitment"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=uuid4)
    agreement_id: Mapped[UUID] = mapped_column(ForeignKey("agreement.id"), index=True)
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(32))
    sector: Mapped[str | None] = mapped_column(String(32))
    # The party that commits, when one of them alone does.
    partner_id: Mapped[UUID | None] = mapped_column(ForeignKey("partner.id"))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __mapper_args__ = {"version_id_col": version}


class ProgressReport(Base):
    __tablename__ = "progress_report"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=uuid4)
    commitment_id: Mapped[UUID] = mapped_column(ForeignKey("commitment.id"))
    reported_on: Mapped[date] = mapped_column(Date)
    # Achieved to date (cumulative), not since the previous report.
    achieved: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("commitment_id", "reported_on"),)
