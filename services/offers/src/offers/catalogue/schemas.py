from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from offers.vocabulary import (
    CertificationLevel,
    EntryLevel,
    OfferMode,
    PublicationStatus,
    TargetPublic,
)
from shared.fields import (
    Distinct,
    ExternalId,
    IscedCode,
    IscoCode,
    LanguageCode,
    ProvinceCode,
    RegionCode,
    SourceName,
    text,
)
from shared.problems import field_error
from shared.reference import Sector

_ARABIC_LETTER = re.compile(r"[\u0620-\u064a\u0671-\u06d3]")


def _arabic_script(value: str) -> str:
    if not _ARABIC_LETTER.search(value):
        raise field_error("arabic_script")
    return value


TitleFr = Annotated[str, text(300, 3), Field(description="Title in French")]
TitleAr = Annotated[
    str, text(300, 2), AfterValidator(_arabic_script), Field(description="Title in Arabic")
]
Description = Annotated[str, text(10_000)]
LongText = Annotated[str, text(5_000)]
CertificationName = Annotated[str, text(200)]
DurationHours = Annotated[int, Field(ge=1, le=10_000, description="Total hours of training")]
CostMad = Annotated[
    int, Field(ge=0, le=1_000_000, description="Cost to the learner in whole dirhams; 0 is free")
]
IscoGroups = Annotated[list[IscoCode], Field(max_length=10), Distinct]
Languages = Annotated[
    list[LanguageCode],
    Field(max_length=6, description="ISO 639 codes: `ar`, `ary` (Darija), `zgh`, `fr`, `en`…"),
    Distinct,
]
TargetPublics = Annotated[
    list[TargetPublic], Field(min_length=1, max_length=len(TargetPublic)), Distinct
]


class OfferCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider_id: UUID
    title_fr: TitleFr
    title_ar: TitleAr | None = None
    description: Description
    objectives: LongText | None = None
    sector: Sector
    isced_field: IscedCode | None = None
    isco_groups: IscoGroups = []
    entry_level: EntryLevel | None = None
    certification_level: CertificationLevel | None = None
    certification_name: CertificationName | None = None
    mode: OfferMode
    duration_hours: DurationHours
    languages: Languages = []
    cost_mad: CostMad
    prerequisites: LongText | None = None
    target_publics: TargetPublics = [TargetPublic.ALL]
    source: SourceName | None = Field(
        default=None, description="Defaults to `kafaat` with the new id as `external_id`"
    )
    external_id: ExternalId | None = None


class OfferUpdate(BaseModel):
    """A partial update: only the fields sent change; ``null`` clears an optional field."""

    model_config = ConfigDict(extra="forbid")

    title_fr: TitleFr | None = None
    title_ar: TitleAr | None = None
    description: Description | None = None
    objectives: LongText | None = None
    sector: Sector | None = None
    isced_field: IscedCode | None = None
    isco_groups: IscoGroups | None = None
    entry_level: EntryLevel | None = None
    certification_level: CertificationLevel | None = None
    certification_name: CertificationName | None = None
    mode: OfferMode | None = None
    duration_hours: DurationHours | None = None
    languages: Languages | None = None
    cost_mad: CostMad | None = None
    prerequisites: LongText | None = None
    target_publics: TargetPublics | None = None

    @field_validator(
        "title_fr",
        "description",
        "sector",
        "isco_groups",
        "mode",
        "duration_hours",
        "languages",
        "cost_mad",
        "target_publics",
    )
    @classmethod
    def _required(cls, value: Any) -> Any:
        if value is None:
            raise field_error("not_clearable")
        return value


class QualityGap(BaseModel):
    rule: str
    missing_points: int
    reason: str


class QualityRead(BaseModel):
    score: int = Field(ge=0, le=100)
    missing: list[QualityGap] = Field(description="The rules that cost points, and why")


class OfferRead(BaseModel):
    id: UUID
    provider_id: UUID
    region: str = Field(description="The provider's region")
    province: str | None
    title_fr: str
    title_ar: str | None
    description: str
    objectives: str | None
    sector: Sector
    isced_field: str | None
    isco_groups: list[str]
    entry_level: EntryLevel | None
    certification_level: CertificationLevel | None
    certification_name: str | None
    mode: OfferMode
    duration_hours: int
    languages: list[str]
    cost_mad: int
    is_free: bool
    prerequisites: str | None
    target_publics: list[TargetPublic]
    status: PublicationStatus
    next_session_start_date: date | None = Field(
        description="Earliest start of a planned, open or full session"
    )
    quality: QualityRead
    source: str
    external_id: str
    version: int
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None


class OfferSort(StrEnum):
    START_DATE = "start_date"  # next session first; offers without one last
    TITLE = "title"
    UPDATED = "updated"  # oldest change first: delta sync
    RECENT = "-updated"  # newest change first


class RegisterQuery(BaseModel):
    """The filters the lists of offers and of sessions share; they combine."""

    q: str | None = Field(
        default=None,
        max_length=200,
        description="Words of the French or Arabic title or of the provider's name; "
        "accents, case and Arabic short vowels are ignored",
    )
    provider_id: UUID | None = None
    province: ProvinceCode | None = None
    sector: Sector | None = None
    isced: IscedCode | None = None
    mode: OfferMode | None = None
    public: TargetPublic | None = Field(
        default=None, description="Offers for this public or for everyone"
    )
    free: bool | None = Field(default=None, description="Free of charge, or paying")
    min_quality: int | None = Field(default=None, ge=0, le=100)
    updated_since: AwareDatetime | None = Field(
        default=None, description="Only records changed at or after this time"
    )


class OfferQuery(RegisterQuery):
    """``GET /v1/offers``: the session filters (``starts_*``, ``has_seats``) hold for one same
    session of the offer."""

    region: RegionCode | None = Field(default=None, description="The provider's region")
    starts_after: date | None = Field(
        default=None, description="A session starts on or after this day"
    )
    starts_before: date | None = Field(
        default=None, description="A session starts on or before this day"
    )
    has_seats: bool | None = Field(
        default=None, description="A session is open with seats left (or none is)"
    )
    status: PublicationStatus | None = None
    sort: OfferSort = OfferSort.START_DATE
