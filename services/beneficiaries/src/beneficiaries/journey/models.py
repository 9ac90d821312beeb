"""``stage_move``: every move of a person along the journey, with who made it and when."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from beneficiaries.database import Base
from shared.db import UTCDateTime, utcnow


class StageMove(Base):
    __tablename__ = "stage_move"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=uuid4)
    beneficiary_id: Mapped[UUID] = mapped_column(ForeignKey("beneficiary.id"))
    from_stage: Mapped[str] = mapped_column(String(16))
    to_stage: Mapped[str] = mapped_column(String(16))
    # Why a person left without an outcome (``ExitReason``); only on a move to ``exited``.
    exit_reason: Mapped[str | None] = mapped_column(String(32))
    moved_by: Mapped[str] = mapped_column(String(255))
    moved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_stage_move_beneficiary_id_moved_at", "beneficiary_id", "moved_at"),
        # The exits of a year (statistics).
        Index("ix_stage_move_to_stage_moved_at", "to_stage", "moved_at"),
    )
