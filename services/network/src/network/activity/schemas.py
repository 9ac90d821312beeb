from __future__ import annotations

from pydantic import BaseModel, Field

from network.vocabulary import AgreementKind, CommitmentUnit, EventKind
from shared.reference import Sector


class KindActivity(BaseModel):
    kind: EventKind
    scheduled: int = Field(description="Occurrences still to be held (or not marked held)")
    held: int
    cancelled: int


class AttendanceFigures(BaseModel):
    present: int = Field(description="People recorded present")
    absent: int = Field(description="People expected who did not come")
    active_partners: int = Field(description="Partners with someone present at least once")


class ActionItemFigures(BaseModel):
    open: int
    done: int
    cancelled: int
    overdue: int = Field(description="Open and due before today (Africa/Casablanca)")


class CommitmentFigures(BaseModel):
    unit: CommitmentUnit
    sector: Sector | None
    commitments: int
    committed: int = Field(description="Quantities committed")
    achieved: int = Field(description="Achieved as of the latest report up to the year's end")


class AgreementFigures(BaseModel):
    agreements: int = Field(description="Agreements in force at some time of the span")
    by_kind: dict[AgreementKind, int]
    commitments: list[CommitmentFigures]


class Activity(BaseModel):
    region: str | None
    year: int | None = Field(description="`null`: every year up to the current one")
    partners: int = Field(description="Partners active today (acting in the region)")
    events: list[KindActivity] = Field(
        description="Occurrences starting in the year, every kind in the vocabulary's order"
    )
    attendance: AttendanceFigures
    decisions: int = Field(description="Decisions recorded in the year")
    action_items: ActionItemFigures = Field(description="Action items due in the year")
    agreements: AgreementFigures
