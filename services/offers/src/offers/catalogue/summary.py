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

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from offers.catalogue import quality
from offers.catalogue.models import NO_UPCOMING_SESSION, Offer
from offers.providers.models import Provider
from offers.sessions.models import TrainingSession
from offers.vocabulary import UPCOMING_SESSION_STATUSES, SessionStatus
from shared import bulk
from shared.text import fold

CHUNK = 500
# Derived from the offer's titles and its provider.
TEXT_DERIVED = ("region", "province", "title_key", "search_text")
# Derived from the sessions too.
SESSION_DERIVED = ("next_start_date", "last_start_date", "quality_base", "quality_gaps")
DERIVED = TEXT_DERIVED + SESSION_DERIVED

_offer_table = cast(Table, Offer.__table__)


def search_text(title_fr: str, title_ar: str | None, provider_name_key: str) -> str:
    """Folded titles and the provider's folded name (``provider.name_key``)."""
    return _search_text(fold(title_fr), title_ar, provider_name_key)


def _search_text(title_fr_key: str, title_ar: str | None, provider_name_key: str) -> str:
    parts = (title_fr_key, fold(title_ar) if title_ar else "", provider_name_key)
    return " ".join(part for part in parts if part)


def title_key(title_fr: str) -> str:
    return fold(title_fr)[:300]


def _chunks(ids: Collection[UUID]) -> Iterator[list[UUID]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


async def refresh(
    session: AsyncSession, offer_ids: Collection[UUID], *, sessions_only: bool = False
) -> None:
    """Recompute the derived columns of ``offer_ids`` (flushed rows) and write them.

    ``sessions_only`` when only their sessions changed: the columns that depend on sessions are
    then written without reading the titles or comparing. Otherwise every derived column is
    recomputed and only offers whose values moved are written (renaming a provider touches all
    its offers, most often for nothing).

    ORM objects of these offers held by ``session`` must be refreshed before being read again.
    """
    names = SESSION_DERIVED if sessions_only else DERIVED
    for chunk in _chunks(offer_ids):
        selected: list[Any] = [
            Offer.id,
            func.length(Offer.description).label("description_length"),
            func.coalesce(func.length(Offer.objectives), 0).label("objectives_length"),
            Offer.duration_hours,
            Provider.phone.label("provider_phone"),
            Provider.email.label("provider_email"),
        ]
        if not sessions_only:
            selected += [
                Offer.title_fr,
                Offer.title_ar,
                *(getattr(Offer, name) for name in DERIVED),
                Provider.name_key.label("provider_name_key"),
                Provider.region.label("provider_region"),
                Provider.province.label("provider_province"),
            ]
        offers = (
            await session.execute(
                select(*selected)
                .join(Provider, Provider.id == Offer.provider_id)
                .where(bulk.among(session, Offer.id, chunk))
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
            ).where(bulk.among(session, TrainingSession.offer_id, chunk))
        )
        for row in rows:
            sessions[row.offer_id].append(
                quality.SessionDates(
                    row.start_date, row.end_date, row.registration_deadline, row.status
                )
            )
        changes = []
        for offer in offers:
            derived = session_part(
                description_length=offer.description_length,
                objectives_length=offer.objectives_length,
                duration_hours=offer.duration_hours,
                provider_phone=offer.provider_phone,
                provider_email=offer.provider_email,
                sessions=sessions.get(offer.id, []),
            )
            if not sessions_only:
                derived |= text_part(
                    title_fr=offer.title_fr,
                    title_ar=offer.title_ar,
                    provider_name_key=offer.provider_name_key,
                    provider_region=offer.provider_region,
                    provider_province=offer.provider_province,
                )
                if all(getattr(offer, name) == derived[name] for name in names):
                    continue
            changes.append({"id": offer.id, **{name: derived[name] for name in names}})
        await bulk.update_rows(session, _offer_table, changes)


def text_part(
    *,
    title_fr: str,
    title_ar: str | None,
    provider_name_key: str,
    provider_region: str,
    provider_province: str | None,
) -> dict[str, Any]:
    folded_title = fold(title_fr)
    return {
        "region": provider_region,
        "province": provider_province,
        "title_key": folded_title[:300],
        "search_text": _search_text(folded_title, title_ar, provider_name_key),
    }


def session_part(
    *,
    description_length: int,
    objectives_length: int,
    duration_hours: int,
    provider_phone: str | None,
    provider_email: str | None,
    sessions: list[quality.SessionDates],
) -> dict[str, Any]:
    upcoming = [s.start_date for s in sessions if s.status in UPCOMING_SESSION_STATUSES]
    dated = [s.start_date for s in sessions if s.status != SessionStatus.CANCELLED]
    base, gaps = quality.stored_part(
        description_length=description_length,
        objectives_length=objectives_length,
        duration_hours=duration_hours,
        provider_phone=provider_phone,
        provider_email=provider_email,
        sessions=sessions,
    )
    next_start: date = min(upcoming) if upcoming else NO_UPCOMING_SESSION
    return {
        "next_start_date": next_start,
        "last_start_date": max(dated) if dated else None,
        "quality_base": base,
        "quality_gaps": [gap.as_dict() for gap in gaps],
    }


async def refresh_provider_offers(session: AsyncSession, provider_id: UUID) -> None:
    ids = (await session.scalars(select(Offer.id).where(Offer.provider_id == provider_id))).all()
    await refresh(session, ids)
