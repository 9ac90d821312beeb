from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from beneficiaries.consents.schemas import ConsentRead
from beneficiaries.fields import Commune, Printable
from beneficiaries.vocabulary import EducationLevel, JourneyStage, Sex
from shared.fields import Email, Phone, ProvinceCode, RegionCode, text
from shared.problems import field_error
from shared.reference.vocabularies import VulnerabilityCriterion
from shared.text import fold

PersonName = Annotated[str, text(100), Printable]
# The national identity card number: one or two letters then digits (``AB123456``), spaces
# and a dash allowed between them.
Cin = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z]{1,2}[ -]?[0-9]{1,8}$"),
    Field(description="National identity card number (CIN), e.g. `AB123456`"),
]
CounsellorId = Annotated[
    str, text(255), Printable, Field(description="The user id of the assigned counsellor")
]
SEARCH_MIN_CHARACTERS = 3


def _searchable(query: str) -> str:
    if len(fold(query).replace(" ", "")) < SEARCH_MIN_CHARACTERS:
        raise field_error("search_too_short", min_length=SEARCH_MIN_CHARACTERS)
    return query


SearchText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=100),
    Printable,
    AfterValidator(_searchable),
    Field(description=f"Words of the name, {SEARCH_MIN_CHARACTERS} characters or more"),
]


class Vulnerability(BaseModel):
    model_config = ConfigDict(extra="forbid")

    criterion: VulnerabilityCriterion
    since: date = Field(description="Since when the criterion applies")


def _distinct_criteria(values: list[Vulnerability]) -> list[Vulnerability]:
    criteria = [value.criterion for value in values]
    if len(set(criteria)) != len(criteria):
        raise field_error("criterion_repeated")
    return values


Vulnerabilities = Annotated[
    list[Vulnerability],
    Field(max_length=len(VulnerabilityCriterion)),
    AfterValidator(_distinct_criteria),
]


class BeneficiaryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    association_id: UUID | None = Field(
        default=None, description="Defaults to the caller's association (required for admins)"
    )
    first_name: PersonName
    last_name: PersonName
    sex: Sex
    birth_date: date
    cin: Cin | None = None
    phone: Phone | None = None
    email: Email | None = None
    commune: Commune | None = None
    region: RegionCode
    province: ProvinceCode | None = None
    education_level: EducationLevel | None = None
    vulnerabilities: Vulnerabilities = []
    counsellor_id: CounsellorId | None = None


class BeneficiaryUpdate(BaseModel):
    """Rectification: only the fields sent change; ``null`` clears an optional field. The
    journey stage moves through its own routes."""

    model_config = ConfigDict(extra="forbid")

    first_name: PersonName | None = None
    last_name: PersonName | None = None
    sex: Sex | None = None
    birth_date: date | None = None
    cin: Cin | None = None
    phone: Phone | None = None
    email: Email | None = None
    commune: Commune | None = None
    region: RegionCode | None = None
    province: ProvinceCode | None = None
    education_level: EducationLevel | None = None
    vulnerabilities: Vulnerabilities | None = None
    counsellor_id: CounsellorId | None = None

    @field_validator("first_name", "last_name", "sex", "birth_date", "region", "vulnerabilities")
    @classmethod
    def _required(cls, value: Any) -> Any:
        if value is None:
            raise field_error("not_clearable")
        return value


class BeneficiaryRead(BaseModel):
    """One person's record, identifiers decrypted, with the consents in force."""

    id: UUID
    association_id: UUID
    first_name: str
    last_name: str
    sex: Sex
    birth_date: date
    cin: str | None
    phone: str | None
    email: str | None
    commune: str | None
    region: str
    province: str | None
    education_level: EducationLevel | None
    vulnerabilities: list[Vulnerability]
    journey_stage: JourneyStage
    counsellor_id: str | None
    consents: list[ConsentRead] = Field(description="The decision in force for each purpose")
    possible_duplicate: bool | None = Field(
        default=None, description="Admins only: the same CIN is known in another association"
    )
    erased_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class BeneficiarySummary(BaseModel):
    """A person in a list: what finds them, no identifier (open the record for those)."""

    model_config = ConfigDict(from_attributes=True)

    id: UUID
    association_id: UUID
    first_name: str
    last_name: str
    sex: Sex
    birth_date: date
    commune: str | None
    region: str
    province: str | None
    journey_stage: JourneyStage
    counsellor_id: str | None
    criteria: list[VulnerabilityCriterion]
    version: int
    updated_at: datetime


class PossibleDuplicate(BaseModel):
    """For admins: a person whose CIN is also known in another association."""

    id: UUID
    association_id: UUID
    matches: list[UUID] = Field(description="The other people with the same CIN")
    created_at: datetime


class BeneficiarySort(StrEnum):
    NAME = "name"
    UPDATED = "updated"  # oldest change first: delta sync
    RECENT = "-updated"  # newest change first


class BeneficiaryQuery(BaseModel):
    """``GET /v1/beneficiaries``: the filters combine."""

    journey_stage: JourneyStage | None = None
    criterion: VulnerabilityCriterion | None = None
    counsellor_id: CounsellorId | None = None
    province: ProvinceCode | None = None
    association_id: UUID | None = Field(default=None, description="Admins: one association")
    q: SearchText | None = None
    updated_since: AwareDatetime | None = Field(
        default=None, description="Only records changed at or after this time"
    )
    sort: BeneficiarySort = BeneficiarySort.NAME
