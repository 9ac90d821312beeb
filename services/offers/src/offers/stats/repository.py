"""The SQL of the supply statistics."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from offers.catalogue.models import Offer
from offers.sessions.models import TrainingSession
from offers.vocabulary import PublicationStatus, SessionStatus


async def supply_by_sector(db: AsyncSession, region: str | None, year: int | None) -> Sequence[Any]:
    """Per sector: sessions of published offers that are not cancelled, placed in ``region`` and
    starting in ``year`` (when given), with their offers, seats and reported counts."""
    statement = (
        select(
            Offer.sector,
            func.count(distinct(Offer.id)).label("offers"),
            func.count(TrainingSession.id).label("sessions"),
            func.coalesce(func.sum(TrainingSession.seats_total), 0).label("seats"),
            func.coalesce(func.sum(TrainingSession.enrolled), 0).label("enrolled"),
            func.coalesce(func.sum(TrainingSession.completed), 0).label("completed"),
            func.coalesce(func.sum(TrainingSession.certified), 0).label("certified"),
            func.count(TrainingSession.enrolled).label("sessions_reporting"),
        )
        .join(Offer, Offer.id == TrainingSession.offer_id)
        .where(
            Offer.status == PublicationStatus.PUBLISHED.value,
            TrainingSession.status != SessionStatus.CANCELLED.value,
        )
        .group_by(Offer.sector)
    )
    if region is not None:
        statement = statement.where(TrainingSession.region == region)
    if year is not None:
        statement = statement.where(
            TrainingSession.start_date >= date(year, 1, 1),
            TrainingSession.start_date < date(year + 1, 1, 1),
        )
    return (await db.execute(statement)).all()
