"""The words of the beneficiaries service: one enum per closed list, used by models, schemas and
the bulk intake alike."""

from __future__ import annotations

from enum import StrEnum

from shared.reference import OutcomeType


class AssociationStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"


class JourneyStage(StrEnum):
    """Where a person is on the way from intake to an exit (moves are checked by the cases
    domain)."""

    INTAKE = "intake"
    DIAGNOSIS = "diagnosis"
    PLAN = "plan"
    TRAINING = "training"
    JOB_SEARCH = "job_search"
    EXITED = "exited"


class EducationLevel(StrEnum):
    """The highest level completed, after ISCED 2011 levels (``shared.reference`` holds the
    ISCED-F *fields* of study, not levels): 0 below primary up to 8 doctoral."""

    NONE = "none"  # ISCED 0 (or no schooling)
    PRIMARY = "primary"  # ISCED 1
    LOWER_SECONDARY = "lower_secondary"  # ISCED 2 (collège)
    UPPER_SECONDARY = "upper_secondary"  # ISCED 3 (lycée, vocational qualification)
    POST_SECONDARY = "post_secondary"  # ISCED 4 (technicien)
    SHORT_TERTIARY = "short_tertiary"  # ISCED 5 (technicien spécialisé, DUT, BTS)
    BACHELOR = "bachelor"  # ISCED 6 (licence)
    MASTER = "master"  # ISCED 7
    DOCTORATE = "doctorate"  # ISCED 8


class ConsentPurpose(StrEnum):
    SUPPORT = "support"
    SHARING_WITH_PROVIDERS = "sharing_with_providers"
    STATISTICS = "statistics"
    SECURITY = "security"


class ConsentStatus(StrEnum):
    GIVEN = "given"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class ConsentMethod(StrEnum):
    """How the person expressed the decision (law 09-08 asks that it can be shown)."""

    SIGNED_FORM = "signed_form"
    ORAL = "oral"
    ELECTRONIC = "electronic"


class AuditAction(StrEnum):
    """What was done with personal data (one audit entry per request)."""

    READ = "read"
    LIST = "list"
    SEARCH = "search"
    EXPORT = "export"
    CREATE = "create"
    UPDATE = "update"
    ERASE = "erase"
    IMPORT = "import"
    ROTATE_KEYS = "rotate_keys"


class AuditPurpose(StrEnum):
    """Why personal data was processed, recorded with each access (law 09-08: a determined
    purpose)."""

    SUPPORT = "support"
    REFERRAL = "referral"
    DATA_SUBJECT_REQUEST = "data_subject_request"
    OVERSIGHT = "oversight"
    INTAKE = "intake"
    STATISTICS = "statistics"
    SECURITY = "security"


# --- the case file (journey, support, outcomes) ------------------------------------------------

# The moves a person's journey may make (``beneficiaries.journey``): forward, back to re-plan or
# retrain, and out at any stage; ``exited`` is final.
STAGE_MOVES: dict[JourneyStage, frozenset[JourneyStage]] = {
    JourneyStage.INTAKE: frozenset({JourneyStage.DIAGNOSIS, JourneyStage.EXITED}),
    JourneyStage.DIAGNOSIS: frozenset({JourneyStage.PLAN, JourneyStage.EXITED}),
    JourneyStage.PLAN: frozenset(
        {JourneyStage.TRAINING, JourneyStage.JOB_SEARCH, JourneyStage.EXITED}
    ),
    JourneyStage.TRAINING: frozenset(
        {JourneyStage.JOB_SEARCH, JourneyStage.PLAN, JourneyStage.EXITED}
    ),
    JourneyStage.JOB_SEARCH: frozenset(
        {JourneyStage.TRAINING, JourneyStage.PLAN, JourneyStage.EXITED}
    ),
    JourneyStage.EXITED: frozenset(),
}


class ExitReason(StrEnum):
    """Why a person left the support without a recorded outcome."""

    DROPPED_OUT = "dropped_out"
    MOVED_AWAY = "moved_away"
    HEALTH = "health"
    FAMILY_REASONS = "family_reasons"
    UNREACHABLE = "unreachable"
    NO_LONGER_ELIGIBLE = "no_longer_eligible"
    OTHER = "other"


class ActionKind(StrEnum):
    COACHING = "coaching"
    WORKSHOP = "workshop"
    JOB_SEARCH_HELP = "job_search_help"
    MENTORING = "mentoring"
    ADMINISTRATIVE_HELP = "administrative_help"


class OutcomeKind(StrEnum):
    """Where the support led: the programme's four positive outcomes
    (``shared.reference.OutcomeType``, same codes), further training, or none."""

    EMPLOYMENT = OutcomeType.EMPLOYMENT.value
    VERY_SMALL_BUSINESS = OutcomeType.VERY_SMALL_BUSINESS.value
    COOPERATIVE = OutcomeType.COOPERATIVE.value
    SELF_EMPLOYED = OutcomeType.SELF_EMPLOYED.value
    FURTHER_TRAINING = "further_training"
    NONE = "none"


# The outcomes the programme counts as placements.
POSITIVE_OUTCOMES: frozenset[str] = frozenset(kind.value for kind in OutcomeType)


class ContractType(StrEnum):
    PERMANENT = "permanent"  # CDI
    FIXED_TERM = "fixed_term"  # CDD
    SEASONAL = "seasonal"
    INSERTION = "insertion"  # contrat d'insertion (ANAPEC Idmaj)
    APPRENTICESHIP = "apprenticeship"
    TEMPORARY_AGENCY = "temporary_agency"
    OTHER = "other"


class FollowUpStatus(StrEnum):
    SCHEDULED = "scheduled"
    DONE = "done"
    MISSED = "missed"


# An outcome (other than ``none``) is checked this many months after its date.
FOLLOW_UP_MONTHS: tuple[int, ...] = (3, 6, 12)


class AgeBand(StrEnum):
    """Age in the year counted (from the birth year alone, so an erased birth date, cut to its
    year, keeps its band)."""

    UNDER_18 = "under_18"
    FROM_18_TO_24 = "18_24"
    FROM_25_TO_34 = "25_34"
    FROM_35_TO_44 = "35_44"
    FROM_45 = "45_plus"
