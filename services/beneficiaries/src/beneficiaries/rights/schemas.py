from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from beneficiaries.actions.schemas import ActionRead
from beneficiaries.consents.schemas import ConsentHistory
from beneficiaries.diagnosis.schemas import DiagnosisRead
from beneficiaries.journey.schemas import JourneyRead
from beneficiaries.outcomes.schemas import FollowUpRead, OutcomeRead
from beneficiaries.people.schemas import BeneficiaryRead
from beneficiaries.plans.schemas import PlanRead


class PersonExport(BaseModel):
    """Everything the platform holds about one person (law 09-08: the right of access)."""

    exported_at: datetime
    beneficiary: BeneficiaryRead
    consents: ConsentHistory
    journey: JourneyRead
    diagnosis: DiagnosisRead | None
    plan_revisions: list[PlanRead] = Field(description="Every revision, oldest first")
    actions: list[ActionRead]
    outcomes: list[OutcomeRead]
    follow_ups: list[FollowUpRead]
