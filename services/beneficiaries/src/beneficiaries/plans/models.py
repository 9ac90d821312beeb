"""``support_plan_revision``: a person's support plan, one row per revision (never changed: a
change is a new revision, so every earlier plan stays readable)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from beneficiaries.database import Base
from shared.db import UTCDateTime, utcnow


class SupportPlanRevision(Base):
    __tablename__ = "support_plan_revision"

    beneficiary_id: Mapped[UUID] = mapped_column(ForeignKey("beneficiary.id"), primary_key=True)
    # 1, 2, 3… per person; the primary key makes two concurrent revisions of one number fail.
    revision: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    objectives: Mapped[list[str]] = mapped_column(JSON, default=list)
    # [{"description": "...", "due_date": "YYYY-MM-DD" | null, "done": bool}, ...]
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    author: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
