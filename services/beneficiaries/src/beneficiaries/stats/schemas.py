from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, Field


class Cell(BaseModel):
    """A count of people; ``null`` with ``suppressed`` when publishing it could single someone
    out (1 to 4 people, or the complement that keeps such a cell from being recomputed)."""

    value: int | None
    suppressed: bool


class Rate(BaseModel):
    """A share between 0 and 1; ``null`` when a count it is made of is withheld or zero."""

    value: float | None
    suppressed: bool


class PeopleRow(BaseModel):
    key: str = Field(description="The category (a code of its vocabulary)")
    supported: Cell
    exits: Cell
    placed: Cell
    enrolled: Cell = Field(description="Enrolled in a training session during the period")


class CountRow(BaseModel):
    key: str
    people: Cell


class FollowUpFigures(BaseModel):
    """Follow-ups of the outcomes counted that are due by today."""

    due: Cell
    done: Cell
    missed: Cell
    overdue: Cell = Field(description="Due and not yet recorded")
    completion_rate: Rate = Field(description="done ÷ due")


class Retention(BaseModel):
    """Of the follow-ups done at this month, how many found the outcome still holding."""

    recorded: Cell
    holding: Cell
    not_holding: Cell
    rate: Rate = Field(description="holding ÷ recorded")


class EnrolmentDelay(BaseModel):
    """Days from a referral to the enrolment in its session, over the referrals enrolled in the
    period; withheld (``null``) with their count when they are 1 to 4."""

    referrals: Cell
    median_days: float | None
    suppressed: bool


class OutcomeStats(BaseModel):
    region: str | None
    year: int | None
    association_id: UUID | None
    threshold: int = Field(description="Cells counting fewer people than this are withheld")
    associations: int = Field(description="Active associations whose people are counted")
    people_supported: Cell = Field(
        description="In support during the year (taken in before its end, not out before it)"
    )
    exits: Cell = Field(description="Left the support during the year")
    placed: Cell = Field(
        description="With a positive outcome (employment, TPE, cooperative, auto-entrepreneur) "
        "dated in the year"
    )
    placement_rate: Rate = Field(description="placed ÷ exits")
    enrolled: Cell = Field(description="Enrolled in a training session during the period")
    days_to_enrolment: EnrolmentDelay
    outcomes_by_type: list[CountRow]
    placed_by_sector: list[CountRow] = Field(description="`unspecified` when no sector is known")
    by_sex: list[PeopleRow]
    by_age_band: list[PeopleRow] = Field(description="Age reached in the year, from the birth year")
    by_vulnerability: list[PeopleRow] = Field(
        description="A person counts under each criterion of theirs"
    )
    by_association: list[PeopleRow]
    follow_ups: FollowUpFigures = Field(description="Of the outcomes dated in the year")
    retention_6_months: Retention
    retention_12_months: Retention
