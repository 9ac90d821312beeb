"""Derived columns of an offer, recomputed whenever the offer, its sessions or its provider change:
the provider's place, the folded search text and title, the next and last session start dates and
the stored part of the quality score.

They are written with a Core UPDATE that leaves ``version`` and ``updated_at`` alone: they are not
editable content, so deriving them must not make an editor's ``If-Match`` stale.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator
from datetime import date
from typing import Any, cast
from uuid import UUID

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from offers.catalogue import quality
from offers.catalogue.models import NO_UPCOMING_SESSION, Offer
from offers.providers.models import Provider
from offers.sessions.models import TrainingSession
from offers.text import fold
from offers.vocabulary import UPCOMING_SESSION_STATUSES, SessionStatus

CHUNK = 500
DERIVED = (
    "region",
    "province",
    "title_key",
    "search_text",
    "next_start_date",
    "last_start_date",
    "quality_base",
    "quality_gaps",
)

_offer_table = cast(Table, Offer.__table__)
_update_derived = (
    update(_offer_table)
    .where(_offer_table.c.id == bindparam("offer_key"))
    .values({name: bindparam(f"new_{name}") for name in DERIVED})
)


def search_text(title_fr: str, title_ar: str | None, provider_name: str) -> str:
    return fold(" ".join(part for part in (title_fr, title_ar, provider_name) if part))


def title_key(title_fr: str) -> str:
    return fold(title_fr)[:300]


def _chunks(ids: Collection[UUID]) -> Iterator[list[UUID]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


async def refresh(session: AsyncSession, offer_ids: Collection[UUID]) -> None:
    """Recompute the derived columns of ``offer_ids`` (flushed rows) and write those that moved.

    ORM objects of these offers held by ``session`` must be refreshed before being read again.
    """
    for chunk in _chunks(offer_ids):
        offers = (
            await session.execute(
                select(
                    Offer.id,
                    Offer.title_fr,
                    Offer.title_ar,
                    Offer.description,
                    Offer.objectives,
                    Offer.duration_hours,
                    *(getattr(Offer, name) for name in DERIVED),
                    Provider.name.label("provider_name"),
                    Provider.phone.label("provider_phone"),
                    Provider.email.label("provider_email"),
                    Provider.region.label("provider_region"),
                    Provider.province.label("provider_province"),
                )
                .join(Provider, Provider.id == Offer.provider_id)
                .where(Offer.id.in_(chunk))
            )
        ).all()
        sessions: dict[UUID, list[quality.SessionDates]] = defaultdict(list)
        rows = await session.execute(
            select(
                TrainingSession.offer_id,
                TrainingSession.start_date,
                TrainingSession.end_date,
                TrainingSession.registration_deadline,
                TrainingSession.status,
            ).where(TrainingSession.offer_id.in_(chunk))
        )
        for row in rows:
            sessions[row.offer_id].append(
                quality.SessionDates(
                    row.start_date, row.end_date, row.registration_deadline, row.status
                )
            )
        changes = []
        for offer in offers:
            derived = _derive(offer, sessions.get(offer.id, []))
            if any(getattr(offer, name) != derived[name] for name in DERIVED):
                changes.append(
                    {"offer_key": offer.id, **{f"new_{k}": v for k, v in derived.items()}}
                )
        if changes:
            await session.execute(_update_derived, changes)


def _derive(offer: Any, sessions: list[quality.SessionDates]) -> dict[str, Any]:
    upcoming = [s.start_date for s in sessions if s.status in UPCOMING_SESSION_STATUSES]
    dated = [s.start_date for s in sessions if s.status != SessionStatus.CANCELLED]
    base, gaps = quality.stored_part(
        description=offer.description,
        objectives=offer.objectives,
        duration_hours=offer.duration_hours,
        provider_phone=offer.provider_phone,
        provider_email=offer.provider_email,
        sessions=sessions,
    )
    next_start: date = min(upcoming) if upcoming else NO_UPCOMING_SESSION
    return {
        "region": offer.provider_region,
        "province": offer.provider_province,
        "title_key": title_key(offer.title_fr),
        "search_text": search_text(offer.title_fr, offer.title_ar, offer.provider_name),
        "next_start_date": next_start,
        "last_start_date": max(dated) if dated else None,
        "quality_base": base,
        "quality_gaps": [gap.as_dict() for gap in gaps],
    }


async def refresh_provider_offers(session: AsyncSession, provider_id: UUID) -> None:
    ids = (await session.scalars(select(Offer.id).where(Offer.provider_id == provider_id))).all()
    await refresh(session, ids)
