"""The words of the offers register (stored as their string values)."""

from __future__ import annotations

from enum import StrEnum


class PublicationStatus(StrEnum):
    """Providers and offers: only ``published`` records are visible to everyone."""

    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class ProviderKind(StrEnum):
    PUBLIC_INSTITUTE = "public_institute"
    PRIVATE_SCHOOL = "private_school"
    ASSOCIATION = "association"
    COMPANY = "company"
    CHAMBER = "chamber"
    OTHER = "other"


class OfferMode(StrEnum):
    IN_PERSON = "in_person"
    REMOTE = "remote"
    BLENDED = "blended"
    WORK_BASED = "work_based"  # alternance / apprenticeship


class EntryLevel(StrEnum):
    """Schooling a learner needs to enter (Moroccan vocational-training entry levels)."""

    NONE = "none"
    PRIMARY = "primary"
    LOWER_SECONDARY = "lower_secondary"  # collège (3e année)
    UPPER_SECONDARY = "upper_secondary"  # lycée, without the baccalauréat
    BACCALAUREATE = "baccalaureate"
    POST_BACCALAUREATE = "post_baccalaureate"


class CertificationLevel(StrEnum):
    """What a completer receives (levels of the Moroccan vocational-training diplomas)."""

    NONE = "none"
    ATTENDANCE = "attendance"  # attestation de formation
    SPECIALISATION = "specialisation"
    QUALIFICATION = "qualification"
    TECHNICIAN = "technician"
    SPECIALISED_TECHNICIAN = "specialised_technician"
    VOCATIONAL_BACHELOR = "vocational_bachelor"  # licence professionnelle
    OTHER = "other"


class TargetPublic(StrEnum):
    """Who an offer is meant for; ``all`` welcomes everyone and matches every public filter."""

    ALL = "all"
    WOMEN = "women"
    NEET_YOUTH = "neet_youth"
    PEOPLE_WITH_DISABILITIES = "people_with_disabilities"
    RURAL = "rural"
    MIGRANTS = "migrants"
    LONG_TERM_UNEMPLOYED = "long_term_unemployed"


class SessionStatus(StrEnum):
    PLANNED = "planned"  # dated, registrations not open yet
    OPEN = "open"  # registrations open: seats can be reserved
    FULL = "full"  # every seat reserved (set and cleared by reservations)
    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


UPCOMING_SESSION_STATUSES = frozenset(
    {SessionStatus.PLANNED, SessionStatus.OPEN, SessionStatus.FULL}
)


class ReservationStatus(StrEnum):
    HELD = "held"
    RELEASED = "released"


# Records created through the API get this source and their own id as external id, so an
# export re-imported into the same register changes nothing.
KAFAAT_SOURCE = "kafaat"
