"""The figures the views pass on from the services, and the rates they derive from them.

Counts of people come from the beneficiaries service already protected (a cell of 1 to 4 people
is ``null`` with ``suppressed: true``); a rate made of a withheld count is withheld too, so no
view reveals what the service withheld. Counts of records (sessions, seats, positions, events)
are not about people and are published whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field


class Cell(BaseModel):
    """A count of people; ``null`` with ``suppressed`` when it could single someone out."""

    value: int | None
    suppressed: bool


class Rate(BaseModel):
    """A share (0 to 1, or above for a coverage); ``null`` when a count it is made of is
    withheld (``suppressed``) or its denominator is zero."""

    value: float | None
    suppressed: bool = False


NOTHING = Cell(value=0, suppressed=False)


def cell(raw: Mapping[str, Any] | None) -> Cell:
    return NOTHING if raw is None else Cell.model_validate(raw)


def ratio(numerator: int | Cell | None, denominator: int | Cell | None) -> Rate:
    """``numerator ÷ denominator`` rounded to 4 places; withheld when either is."""
    values: list[int | None] = []
    for part in (numerator, denominator):
        if isinstance(part, Cell):
            if part.suppressed:
                return Rate(value=None, suppressed=True)
            values.append(part.value)
        else:
            values.append(part)
    top, bottom = values
    if top is None or not bottom:
        return Rate(value=None)
    return Rate(value=round(top / bottom, 4))


def change(current: int | Cell | None, previous: int | Cell | None) -> int | None:
    """How much a figure moved from the previous year (``null`` when either is unknown or
    withheld)."""
    values = [part.value if isinstance(part, Cell) else part for part in (current, previous)]
    if values[0] is None or values[1] is None:
        return None
    return values[0] - values[1]


class Totals(BaseModel):
    """What one year of a region adds up to (``null``: the service did not answer)."""

    sessions: int | None = None
    seats: int | None = None
    enrolled: int | None = Field(default=None, description="Reported by the providers")
    completed: int | None = None
    certified: int | None = None
    positions: int | None = Field(default=None, description="Declared by partners")
    people_supported: Cell | None = None
    exits: Cell | None = None
    placed: Cell | None = None
    events_held: int | None = None
    attendance: int | None = Field(default=None, description="People recorded present")


class YearOnYear(BaseModel):
    current: Totals
    previous: Totals
    change: dict[str, int | None] = Field(
        description="current − previous for each figure both years publish"
    )


def year_on_year(current: Totals, previous: Totals) -> YearOnYear:
    moved = {
        name: change(getattr(current, name), getattr(previous, name))
        for name in Totals.model_fields
    }
    return YearOnYear(current=current, previous=previous, change=moved)


def totals(
    supply: Mapping[str, Any] | None,
    demand: Mapping[str, Any] | None,
    outcomes: Mapping[str, Any] | None,
    activity: Mapping[str, Any] | None,
) -> Totals:
    found = Totals()
    if supply is not None:
        for name in ("sessions", "seats", "enrolled", "completed", "certified"):
            setattr(found, name, int(supply["totals"][name]))
    if demand is not None:
        found.positions = int(demand["totals"]["positions"])
    if outcomes is not None:
        found.people_supported = cell(outcomes["people_supported"])
        found.exits = cell(outcomes["exits"])
        found.placed = cell(outcomes["placed"])
    if activity is not None:
        found.events_held = sum(int(kind["held"]) for kind in activity["events"])
        found.attendance = int(activity["attendance"]["present"])
    return found
