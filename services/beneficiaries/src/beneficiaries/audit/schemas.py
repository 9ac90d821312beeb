from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict


class AccessLogEntry(BaseModel):
    """Who did what with the person's data, when, and why."""

    model_config = ConfigDict(from_attributes=True)

    sequence: int
    occurred_at: datetime
    actor: str
    role: str | None
    association_id: UUID | None
    request_id: str | None
    action: str
    purpose: str
