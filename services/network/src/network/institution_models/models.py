"""The ``institution_model`` table: how a network's groups are institutionalised.

The governance rules are data (a JSON object validated by the schemas), not columns: the models
differ in what they say, and a new model must not need a migration.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import JSON, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from network.database import Base
from shared.db import UTCDateTime, utcnow


class InstitutionModel(Base):
    __tablename__ = "institution_model"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=uuid4)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text)
    # chair {who, term_months}, meeting_frequency, quorum, decision_rule, decision_record,
    # reporting (see institution_models.schemas.Governance).
    governance: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __mapper_args__ = {"version_id_col": version}
