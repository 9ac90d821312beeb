"""The SQL of the supply statistics: every figure a COUNT or SUM grouped in the database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from offers.catalogue.models import Offer
from offers.providers.models import Provider
from offers.sessions.models import TrainingSession
from offers.vocabulary import PublicationStatus, SessionStatus

# Sessions taking people now or soon: their free seats are the "open seats" of a region.
OPEN_STATUSES = (SessionStatus.PLANNED.value, SessionStatus.OPEN.value)


def _counted(region: str | None, year: int | None) -> list[ColumnElement[bool]]:
    """Sessions of published offers that are not cancelled, in ``region`` and starting in
    ``year`` (when given)."""
    clauses = [
        Offer.status == PublicationStatus.PUBLISHED.value,
        TrainingSession.status != SessionStatus.CANCELLED.value,
    ]
    if region is not None:
        clauses.append(TrainingSession.region == region)
    if year is not None:
        clauses += [
            TrainingSession.start_date >= date(year, 1, 1),
            TrainingSession.start_date < date(year + 1, 1, 1),
        ]
    return clauses


def _figures(*keys: Any) -> Select[tuple[Any, ...]]:
    return select(
        *keys,
        func.count(distinct(Offer.id)).label("offers"),
        func.count(TrainingSession.id).label("sessions"),
        func.coalesce(func.sum(TrainingSession.seats_total), 0).label("seats"),
        func.coalesce(func.sum(TrainingSession.enrolled), 0).label("enrolled"),
        func.coalesce(func.sum(TrainingSession.completed), 0).label("completed"),
        func.coalesce(func.sum(TrainingSession.certified), 0).label("certified"),
        func.count(TrainingSession.enrolled).label("sessions_reporting"),
    ).join(Offer, Offer.id == TrainingSession.offer_id)


async def supply_by_sector(db: AsyncSession, region: str | None, year: int | None) -> Sequence[Any]:
    """Per sector: the sessions counted, with their offers, seats and reported counts."""
    statement = _figures(Offer.sector).where(*_counted(region, year)).group_by(Offer.sector)
    rows: Sequence[Any] = (await db.execute(statement)).all()
    return rows


async def supply_by_provider_kind(
    db: AsyncSession, region: str | None, year: int | None
) -> Sequence[Any]:
    """The same figures per kind of provider (public institute, association, company…)."""
    statement = (
        _figures(Provider.kind)
        .join(Provider, Provider.id == Offer.provider_id)
        .where(*_counted(region, year))
        .group_by(Provider.kind)
    )
    rows: Sequence[Any] = (await db.execute(statement)).all()
    return rows


async def open_sessions_by_province(
    db: AsyncSession, region: str | None, today: date
) -> Sequence[Any]:
    """Per province (``None``: not placed in one): sessions of published offers planned or open
    that have not started by ``today``, and their free seats."""
    free = TrainingSession.seats_total - TrainingSession.seats_reserved
    statement = (
        select(
            TrainingSession.province,
            func.count(TrainingSession.id),
            func.coalesce(func.sum(free), 0),
        )
        .join(Offer, Offer.id == TrainingSession.offer_id)
        .where(
            Offer.status == PublicationStatus.PUBLISHED.value,
            TrainingSession.status.in_(OPEN_STATUSES),
            TrainingSession.start_date >= today,
        )
        .group_by(TrainingSession.province)
    )
    if region is not None:
        statement = statement.where(TrainingSession.region == region)
    return (await db.execute(statement)).all()


async def published_providers(db: AsyncSession, region: str | None) -> int:
    statement = (
        select(func.count())
        .select_from(Provider)
        .where(Provider.status == PublicationStatus.PUBLISHED.value)
    )
    if region is not None:
        statement = statement.where(Provider.region == region)
    return int(await db.scalar(statement) or 0)


async def published_offers(db: AsyncSession, region: str | None) -> int:
    """Published offers with at least one session in ``region`` (all of them without one)."""
    statement = select(func.count(distinct(Offer.id))).where(
        Offer.status == PublicationStatus.PUBLISHED.value
    )
    if region is not None:
        statement = statement.join(TrainingSession, TrainingSession.offer_id == Offer.id).where(
            TrainingSession.region == region
        )
    return int(await db.scalar(statement) or 0)
