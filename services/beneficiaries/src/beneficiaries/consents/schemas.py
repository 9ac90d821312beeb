from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from beneficiaries.vocabulary import ConsentMethod, ConsentPurpose, ConsentStatus


class ConsentCreate(BaseModel):
    """One decision of the person about one purpose (it does not replace the history)."""

    model_config = ConfigDict(extra="forbid")

    purpose: ConsentPurpose
    status: ConsentStatus
    decision_date: date = Field(description="The day the person decided (not in the future)")
    method: ConsentMethod


class ConsentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    beneficiary_id: UUID
    purpose: ConsentPurpose
    status: ConsentStatus
    decision_date: date
    method: ConsentMethod
    recorded_by: str
    recorded_at: datetime


class ConsentHistory(BaseModel):
    """The decision in force for each purpose decided so far, and every decision, newest
    first (the history is never rewritten)."""

    in_force: list[ConsentRead]
    items: list[ConsentRead]
