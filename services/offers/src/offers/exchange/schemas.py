"""Rows of the exchange format (one model per record type) and the import report."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from offers.catalogue.schemas import OfferCreate
from offers.providers.schemas import ProviderCreate
from offers.sessions.schemas import SessionCreate
from offers.vocabulary import PublicationStatus
from shared.fields import ExternalId, SourceName

# Rows hold plain values (enums as their strings): they are compared with stored rows and
# written with set-based statements.
_ROW_CONFIG = ConfigDict(extra="forbid", use_enum_values=True)


class ProviderRow(ProviderCreate):
    model_config = _ROW_CONFIG

    record: Literal["provider"]
    external_id: ExternalId
    status: PublicationStatus | None = Field(
        default=None, description="Left out: drafts when new, unchanged otherwise"
    )


class OfferRow(OfferCreate):
    model_config = _ROW_CONFIG

    record: Literal["offer"]
    external_id: ExternalId
    provider_id: UUID | None = None  # type: ignore[assignment]
    provider_external_id: ExternalId | None = None
    provider_source: SourceName | None = Field(
        default=None, description="Source of `provider_external_id` when not the row's own"
    )
    status: PublicationStatus | None = None


class SessionRow(SessionCreate):
    model_config = _ROW_CONFIG

    record: Literal["session"]
    external_id: ExternalId
    offer_id: UUID | None = None  # type: ignore[assignment]
    offer_external_id: ExternalId | None = None
    offer_source: SourceName | None = None


ROW_MODELS: dict[str, type[ProviderRow] | type[OfferRow] | type[SessionRow]] = {
    "provider": ProviderRow,
    "offer": OfferRow,
    "session": SessionRow,
}
# Columns of each record type in the order files are written.
COLUMNS: dict[str, list[str]] = {
    record: ["record", "source", "external_id"]
    + [
        name
        for name in model.model_fields
        if name not in {"record", "source", "external_id", "provider_id", "offer_id"}
    ]
    for record, model in ROW_MODELS.items()
}
ALL_COLUMNS: list[str] = list(
    dict.fromkeys(
        ["record", "source", "external_id", "provider_id", "offer_id"]
        + [name for columns in COLUMNS.values() for name in columns]
    )
)
LIST_COLUMNS = frozenset({"isco_groups", "languages", "target_publics"})


class ImportMode(StrEnum):
    ALL_OR_NOTHING = "all_or_nothing"  # one bad row and nothing is written
    KEEP_VALID = "keep_valid"  # good rows are written, bad rows reported


class RowIssue(BaseModel):
    line: int
    record: str | None = None
    external_id: str | None = None
    field: str | None = None
    reason: str


class RecordCounts(BaseModel):
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0


class ImportReport(BaseModel):
    dry_run: bool
    mode: ImportMode
    committed: bool = Field(description="Whether the good rows were written")
    rows: int = 0
    providers: RecordCounts = Field(default_factory=RecordCounts)
    offers: RecordCounts = Field(default_factory=RecordCounts)
    sessions: RecordCounts = Field(default_factory=RecordCounts)
    error_count: int = 0
    warning_count: int = 0
    errors: list[RowIssue] = []
    warnings: list[RowIssue] = []
    issues_truncated: bool = Field(
        default=False, description="More issues than listed (the counts are complete)"
    )

    @property
    def rejected(self) -> bool:
        """An all-or-nothing import that found errors, and so wrote nothing."""
        return (
            self.mode is ImportMode.ALL_OR_NOTHING and bool(self.error_count) and not self.dry_run
        )
