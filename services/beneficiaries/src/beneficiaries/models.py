"""Every table of the beneficiaries service (imported so Alembic sees the whole schema)."""

from beneficiaries.actions.models import SupportAction
from beneficiaries.associations.models import Association
from beneficiaries.audit.models import AuditEntry, AuditEntryRecord
from beneficiaries.consents.models import Consent
from beneficiaries.database import Base
from beneficiaries.diagnosis.models import Diagnosis
from beneficiaries.intake.models import tables as intake_job_tables
from beneficiaries.journey.models import StageMove
from beneficiaries.outcomes.models import FollowUp, Outcome
from beneficiaries.people.models import Beneficiary
from beneficiaries.plans.models import SupportPlanRevision
from beneficiaries.referrals.models import Referral, ReferralEvent
from beneficiaries.stats.models import (
    StatsBuilt,
    StatsCount,
    StatsFollowUp,
    StatsPeople,
    StatsStale,
)

__all__ = [
    "Association",
    "AuditEntry",
    "AuditEntryRecord",
    "Base",
    "Beneficiary",
    "Consent",
    "Diagnosis",
    "FollowUp",
    "Outcome",
    "StageMove",
    "SupportAction",
    "SupportPlanRevision",
    "Referral",
    "ReferralEvent",
    "StatsBuilt",
    "StatsCount",
    "StatsFollowUp",
    "StatsPeople",
    "StatsStale",
    "intake_job_tables",
]
