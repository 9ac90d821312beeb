"""Rules on outcomes: employment details belong to a job, an outcome other than ``none``
schedules its follow-ups at months 3, 6 and 12, and a follow-up is recorded as done (saying
whether the outcome still holds) or missed."""

from __future__ import annotations

import calendar
from datetime import date
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.access import Access
from beneficiaries.outcomes import repository
from beneficiaries.outcomes.models import FollowUp, Outcome
from beneficiaries.outcomes.schemas import (
    DueFollowUp,
    DueQuery,
    FollowUpRead,
    FollowUpUpdate,
    OutcomeCreate,
    OutcomeRead,
)
from beneficiaries.people.models import Beneficiary
from beneficiaries.vocabulary import FOLLOW_UP_MONTHS, FollowUpStatus, OutcomeKind
from shared.db import utcnow
from shared.pagination import Page, PageParams
from shared.problems import FieldIssue, not_found, raise_if_invalid
from shared.writes import apply_changes, flush_update

_EMPLOYMENT_ONLY = ("employer", "contract_type")


def add_months(day: date, months: int) -> date:
    """``day`` moved ``months`` later, on the last day of the month when it has fewer days
    (31 January + 1 month = 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def check(data: OutcomeCreate) -> list[FieldIssue]:
    problems: list[FieldIssue] = []
    if data.type is not OutcomeKind.EMPLOYMENT:
        problems += [
            (name, "employment_only")
            for name in _EMPLOYMENT_ONLY
            if getattr(data, name) is not None
        ]
    if data.type is OutcomeKind.NONE:
        problems += [
            (name, "none_has_no_sector")
            for name in ("sector", "isco_group")
            if getattr(data, name) is not None
        ]
    return problems


def to_read(outcome: Outcome) -> OutcomeRead:
    return OutcomeRead.model_validate(outcome)


def follow_up_read(follow_up: FollowUp) -> FollowUpRead:
    return FollowUpRead.model_validate(follow_up)


async def create(
    db: AsyncSession, access: Access, person: Beneficiary, data: OutcomeCreate
) -> Outcome:
    raise_if_invalid(check(data))
    now = utcnow()
    outcome = Outcome(
        beneficiary_id=person.id,
        recorded_by=access.subject,
        version=1,
        created_at=now,
        updated_at=now,
        **data.model_dump(),
    )
    db.add(outcome)
    await db.flush()
    if data.type is not OutcomeKind.NONE:
        db.add_all(
            FollowUp(
                outcome_id=outcome.id,
                beneficiary_id=person.id,
                month=month,
                due_date=add_months(data.outcome_date, month),
                status=FollowUpStatus.SCHEDULED.value,
                version=1,
                created_at=now,
                updated_at=now,
            )
            for month in FOLLOW_UP_MONTHS
        )
        await db.flush()
    return outcome


async def get(db: AsyncSession, person: Beneficiary, outcome_id: UUID) -> Outcome:
    found = await repository.outcome(db, person.id, outcome_id)
    if found is None:
        raise not_found("outcome", outcome_id)
    return found


async def has_outcome(db: AsyncSession, person: Beneficiary) -> bool:
    return await repository.has_outcome(db, person.id)


async def outcomes_page(
    db: AsyncSession, person: Beneficiary, page: PageParams
) -> Page[OutcomeRead]:
    rows, next_cursor = await repository.outcomes_page(db, person.id, page)
    return Page[OutcomeRead](items=[to_read(row) for row in rows], next_cursor=next_cursor)


async def outcomes_of(db: AsyncSession, person: Beneficiary) -> list[Outcome]:
    return await repository.outcomes_of(db, person.id)


async def follow_ups_page(
    db: AsyncSession, person: Beneficiary, page: PageParams
) -> Page[FollowUpRead]:
    rows, next_cursor = await repository.follow_ups_page(db, person.id, page)
    return Page[FollowUpRead](items=[follow_up_read(row) for row in rows], next_cursor=next_cursor)


async def follow_ups_of(db: AsyncSession, person: Beneficiary) -> list[FollowUp]:
    return await repository.follow_ups_of(db, person.id)


async def get_follow_up(db: AsyncSession, person: Beneficiary, follow_up_id: UUID) -> FollowUp:
    found = await repository.follow_up(db, person.id, follow_up_id)
    if found is None:
        raise not_found("follow-up", follow_up_id)
    return found


def follow_up_issues(status: FollowUpStatus, outcome_holds: bool | None) -> list[FieldIssue]:
    if status is FollowUpStatus.DONE and outcome_holds is None:
        return [("outcome_holds", "say_if_outcome_holds")]
    if status is not FollowUpStatus.DONE and outcome_holds is not None:
        return [("outcome_holds", "known_once_followed_up")]
    return []


async def record_follow_up(
    db: AsyncSession,
    access: Access,
    follow_up: FollowUp,
    data: FollowUpUpdate,
    if_match: str | None,
) -> FollowUp:
    """Record what a follow-up found; a done one can be corrected to missed and back."""
    changes = data.model_dump(exclude_unset=True, mode="json")
    status = FollowUpStatus(changes.get("status", follow_up.status))
    holds = changes["outcome_holds"] if "outcome_holds" in changes else follow_up.outcome_holds
    if status is not FollowUpStatus.DONE and "outcome_holds" not in changes:
        holds = None
    raise_if_invalid(follow_up_issues(status, holds))
    changes["status"] = status.value
    changes["outcome_holds"] = holds
    if apply_changes(follow_up, changes, if_match):
        follow_up.recorded_by = access.subject
        follow_up.recorded_at = follow_up.updated_at
        await flush_update(db)
    return follow_up


async def due_page(
    db: AsyncSession, access: Access, filters: DueQuery, page: PageParams
) -> Page[DueFollowUp]:
    counsellor = access.subject if filters.mine else None
    rows, next_cursor = await repository.due_page(
        db, access, filters.status.value, filters.due_by, counsellor, page
    )
    people, types = await repository.people_and_outcomes(db, rows)
    items = [
        DueFollowUp(
            id=row.id,
            outcome_id=row.outcome_id,
            beneficiary_id=row.beneficiary_id,
            first_name=people[row.beneficiary_id].first_name,
            last_name=people[row.beneficiary_id].last_name,
            counsellor_id=people[row.beneficiary_id].counsellor_id,
            outcome_type=OutcomeKind(types[row.outcome_id]),
            month=row.month,
            due_date=row.due_date,
            status=FollowUpStatus(row.status),
            version=row.version,
        )
        for row in rows
    ]
    return Page[DueFollowUp](items=items, next_cursor=next_cursor)


async def erase(db: AsyncSession, person: Beneficiary) -> None:
    await repository.erase(db, person.id, utcnow())
