"""The network service's words: one enum per closed list, used by models, schemas and services."""

from __future__ import annotations

from enum import StrEnum


class PartnerKind(StrEnum):
    PUBLIC_BODY = "public_body"
    COMPANY = "company"
    TRAINING_INSTITUTION = "training_institution"
    ASSOCIATION = "association"
    CHAMBER = "chamber"
    COOPERATIVE = "cooperative"
    INTERNATIONAL_ORGANISATION = "international_organisation"


class SizeBand(StrEnum):
    """Staff head-count bands (the usual micro/small/medium/large split)."""

    MICRO = "micro"  # 1-9
    SMALL = "small"  # 10-49
    MEDIUM = "medium"  # 50-249
    LARGE = "large"  # 250+


class PartnerStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class NetworkStatus(StrEnum):
    ACTIVE = "active"
    DORMANT = "dormant"
    CLOSED = "closed"


class MembershipRole(StrEnum):
    CHAIR = "chair"
    MEMBER = "member"
    OBSERVER = "observer"


class ContractType(StrEnum):
    PERMANENT = "permanent"
    FIXED_TERM = "fixed_term"
    SEASONAL = "seasonal"
    TEMPORARY = "temporary"
    INTERNSHIP = "internship"
    APPRENTICESHIP = "apprenticeship"
    FREELANCE = "freelance"


class NeedStatus(StrEnum):
    OPEN = "open"
    FILLED = "filled"
    WITHDRAWN = "withdrawn"


# The needs that count as declared positions in the demand figures.
DECLARED_NEEDS = (NeedStatus.OPEN.value, NeedStatus.FILLED.value)


class EventKind(StrEnum):
    MEETING = "meeting"
    TRAINING = "training"
    SEMINAR = "seminar"
    STUDY_VISIT = "study_visit"
    WORKSHOP = "workshop"


class EventStatus(StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    # Kept, never deleted: calendars show it cancelled.
    CANCELLED = "cancelled"


class ActionItemStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class AgreementKind(StrEnum):
    TRAINING_PARTNERSHIP = "training_partnership"
    INTERNSHIPS_APPRENTICESHIPS = "internships_apprenticeships"
    HIRING_COMMITMENT = "hiring_commitment"
    FUNDING = "funding"


class AgreementStatus(StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"
    COMPLETED = "completed"
    TERMINATED = "terminated"


class CommitmentUnit(StrEnum):
    """What a commitment counts."""

    INTERNSHIPS = "internships"
    APPRENTICESHIPS = "apprenticeships"
    HIRES = "hires"
    TRAINEES = "trainees"
    TRAINING_HOURS = "training_hours"
    MAD = "mad"  # funding, in Moroccan dirhams
