"""Quality score of an offer, 0–100, from documented rules; the score explains its missing points.

| rule             | points | full points when                                                   |
|------------------|-------:|--------------------------------------------------------------------|
| `description`    |     25 | the description has ≥ 300 characters (12 points from 100)          |
| `objectives`     |     10 | learning objectives of ≥ 50 characters are given                   |
| `contact`        |     15 | the provider has a phone number or an e-mail address               |
| `coherent_dates` |     15 | no session has its registration deadline after its start, and each |
|                  |        | session lasts long enough for the hours (at most 10 hours a day)   |
| `future_session` |     20 | a session that is not cancelled starts today or later              |
| `freshness`      |     15 | the offer was updated in the last 180 days (7 points within 365)   |

The first four depend only on stored data and are computed when the offer, its sessions or its
provider change (``quality_base``, ``quality_gaps``). The last two depend on today's date and are
added when the offer is read, and in SQL for the ``min_quality`` filter, so a score never goes
stale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, case

from offers.vocabulary import SessionStatus

MAX_SCORE = 100
DESCRIPTION_POINTS, DESCRIPTION_FULL, DESCRIPTION_PARTIAL, DESCRIPTION_PARTIAL_POINTS = (
    25,
    300,
    100,
    12,
)
OBJECTIVES_POINTS, OBJECTIVES_MIN = 10, 50
CONTACT_POINTS = 15
COHERENT_DATES_POINTS, MAX_HOURS_A_DAY = 15, 10
FUTURE_SESSION_POINTS = 20
FRESHNESS_POINTS, FRESH_DAYS, STALE_DAYS, FRESHNESS_PARTIAL_POINTS = 15, 180, 365, 7


@dataclass(frozen=True)
class Gap:
    rule: str
    missing_points: int
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "missing_points": self.missing_points, "reason": self.reason}


@dataclass(frozen=True)
class SessionDates:
    start_date: date
    end_date: date
    registration_deadline: date | None
    status: str


@dataclass(frozen=True)
class Quality:
    score: int
    # Each rule that cost points: {"rule", "missing_points", "reason"}.
    missing: list[dict[str, Any]]


def stored_part(
    *,
    description_length: int,
    objectives_length: int,
    duration_hours: int,
    provider_phone: str | None,
    provider_email: str | None,
    sessions: Sequence[SessionDates],
) -> tuple[int, list[Gap]]:
    """Points and gaps of the rules that depend on stored data only."""
    gaps: list[Gap] = []
    length = description_length
    if length < DESCRIPTION_PARTIAL:
        gaps.append(
            Gap(
                "description",
                DESCRIPTION_POINTS,
                f"the description has {length} characters; write at least "
                f"{DESCRIPTION_PARTIAL} ({DESCRIPTION_FULL} for full points)",
            )
        )
    elif length < DESCRIPTION_FULL:
        gaps.append(
            Gap(
                "description",
                DESCRIPTION_POINTS - DESCRIPTION_PARTIAL_POINTS,
                f"the description has {length} characters; {DESCRIPTION_FULL} give full points",
            )
        )
    if objectives_length < OBJECTIVES_MIN:
        gaps.append(
            Gap(
                "objectives",
                OBJECTIVES_POINTS,
                f"state the learning objectives in at least {OBJECTIVES_MIN} characters",
            )
        )
    if not provider_phone and not provider_email:
        gaps.append(
            Gap("contact", CONTACT_POINTS, "the provider has neither a phone number nor an e-mail")
        )
    incoherent = _incoherent_dates(sessions, duration_hours)
    if incoherent:
        gaps.append(Gap("coherent_dates", COHERENT_DATES_POINTS, incoherent))
    return MAX_SCORE - sum(g.missing_points for g in gaps), gaps


def _incoherent_dates(sessions: Sequence[SessionDates], duration_hours: int) -> str | None:
    ordered = sessions if len(sessions) < 2 else sorted(sessions, key=lambda s: s.start_date)
    for session in ordered:
        if session.status == SessionStatus.CANCELLED:
            continue
        if session.registration_deadline and session.registration_deadline > session.start_date:
            return (
                f"the session starting {session.start_date} closes registrations after it "
                f"starts ({session.registration_deadline})"
            )
        days = (session.end_date - session.start_date).days + 1
        if duration_hours > days * MAX_HOURS_A_DAY:
            return (
                f"the session starting {session.start_date} lasts {days} day(s), too short for "
                f"{duration_hours} hours at {MAX_HOURS_A_DAY} hours a day"
            )
    return None


def dated_gaps(last_start_date: date | None, updated_at: datetime, today: date) -> list[Gap]:
    """Gaps of the rules that depend on today's date."""
    gaps: list[Gap] = []
    if last_start_date is None or last_start_date < today:
        gaps.append(
            Gap("future_session", FUTURE_SESSION_POINTS, "no session starts today or later")
        )
    age = (today - updated_at.date()).days
    if age > STALE_DAYS:
        gaps.append(
            Gap("freshness", FRESHNESS_POINTS, f"last updated {age} days ago (over {STALE_DAYS})")
        )
    elif age > FRESH_DAYS:
        gaps.append(
            Gap(
                "freshness",
                FRESHNESS_POINTS - FRESHNESS_PARTIAL_POINTS,
                f"last updated {age} days ago; update within {FRESH_DAYS} days for full points",
            )
        )
    return gaps


def score(
    quality_base: int,
    quality_gaps: list[dict[str, Any]],
    last_start_date: date | None,
    updated_at: datetime,
    today: date,
) -> Quality:
    dated = dated_gaps(last_start_date, updated_at, today)
    return Quality(
        score=quality_base - sum(gap.missing_points for gap in dated),
        missing=[*quality_gaps, *(gap.as_dict() for gap in dated)],
    )


def score_expression(
    quality_base: SQLColumnExpression[int],
    last_start_date: SQLColumnExpression[date | None],
    updated_at: SQLColumnExpression[datetime],
    now: datetime,
) -> ColumnElement[int]:
    """The same score in SQL (for ``min_quality``), computed at query time."""
    today = now.date()
    # Compare timestamps with the first instant (UTC) of each cut-off day, as dated_gaps counts
    # whole days of updated_at's UTC date.
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    fresh = midnight - timedelta(days=FRESH_DAYS)
    stale = midnight - timedelta(days=STALE_DAYS)
    return (
        quality_base
        - case((last_start_date >= today, 0), else_=FUTURE_SESSION_POINTS)
        - case(
            (updated_at >= fresh, 0),
            (updated_at >= stale, FRESHNESS_POINTS - FRESHNESS_PARTIAL_POINTS),
            else_=FRESHNESS_POINTS,
        )
    )
