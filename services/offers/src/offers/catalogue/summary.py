"""Derived columns of an offer, recomputed whenever the offer, its sessions or its provider change:
the provider's place, the folded search text and title, the next and last session start dates and
the stored part of the quality score.

They are written with a Core UPDATE that leaves ``version`` and ``updated_at`` alone: they are not
editable content, so deriving them must not make an editor's ``If-Match`` stale. The same
functions compute them for one offer of the API and for the thousands of an import.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from offers.catalogue import quality, repository
from offers.catalogue.models import DERIVED, NO_UPCOMING_SESSION, SESSION_DERIVED
from offers.vocabulary import UPCOMING_SESSION_STATUSES, SessionStatus
from shared.text import fold

CHUNK = 500
TITLE_KEY_LENGTH = 300


def search_text(title_fr: str, title_ar: str | None, provider_name_key: str) -> str:
    """Folded titles and the provider's folded name (``provider.name_key``)."""
    return _search_text(fold(title_fr), title_ar, provider_name_key)


def _search_text(title_fr_key: str, title_ar: str | None, provider_name_key: str) -> str:
    parts = (title_fr_key, fold(title_ar) if title_ar else "", provider_name_key)
    return " ".join(part for part in parts if part)


def title_key(title_fr: str) -> str:
    return fold(title_fr)[:TITLE_KEY_LENGTH]


def _chunks(ids: Collection[UUID]) -> Iterator[list[UUID]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


async def refresh(
    db: AsyncSession, offer_ids: Collection[UUID], *, sessions_only: bool = False
) -> None:
    """Recompute the derived columns of ``offer_ids`` (flushed rows) and write them.

    ``sessions_only`` when only their sessions changed: the columns that depend on sessions are
    then written without reading the titles or comparing. Otherwise every derived column is
    recomputed and only offers whose values moved are written (renaming a provider touches all
    its offers, most often for nothing).

    ORM objects of these offers held by ``db`` must be refreshed before being read again.
    """
    names = SESSION_DERIVED if sessions_only else DERIVED
    for chunk in _chunks(offer_ids):
        offers = await repository.derivation_inputs(db, chunk, sessions_only=sessions_only)
        sessions = await repository.session_dates(db, chunk)
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
        await repository.write_derived(db, changes)


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
        "title_key": folded_title[:TITLE_KEY_LENGTH],
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
