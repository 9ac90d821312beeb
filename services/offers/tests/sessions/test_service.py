"""The rules on sessions, checked on the service itself (the API and the import call them)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from offers.catalogue import service as catalogue_service
from offers.sessions import service
from offers.sessions.schemas import SessionCreate, SessionUpdate
from offers.vocabulary import PublicationStatus
from shared.principal import Role
from shared.problems import ProblemError
from shared.testing import english

from ..factories import SESSION, Factory, access

VALUES: dict[str, Any] = {
    "start_date": date(2027, 2, 1),
    "end_date": date(2027, 6, 30),
    "registration_deadline": date(2027, 1, 20),
    "region": "01",
    "province": "01.571",
    "seats_total": 20,
    "status": "open",
}


def test_coherent_dates_place_and_counts() -> None:
    assert english(service.check(VALUES)) == []
    wrong = VALUES | {
        "end_date": date(2027, 1, 1),
        "registration_deadline": date(2027, 3, 1),
        "province": "02.411",
        "enrolled": 5,
    }
    assert [field for field, _ in service.check(wrong, seats_reserved=25)] == [
        "end_date",
        "registration_deadline",
        "province",
        "seats_total",
        "enrolled",
    ]
    running = VALUES | {"status": "running", "enrolled": 10, "completed": 12, "certified": 13}
    assert english(service.check(running)) == [
        ("completed", "more people completed than enrolled"),
        ("certified", "more people certified than completed"),
    ]


def test_full_is_set_by_reservations_only() -> None:
    assert service.check_status_input("full") != []
    assert english(service.check_status_input("full", previous="full")) == []
    assert english(service.check_status_input("open")) == []


def test_doubtful_values_are_warnings() -> None:
    short = VALUES | {"end_date": date(2027, 2, 3), "registration_deadline": date(2027, 2, 2)}
    found = service.warnings(short, duration_hours=300, today=date(2027, 3, 1))
    assert [field for field, _ in found] == ["registration_deadline", "status", "end_date"]


async def test_sessions_go_to_offers_in_scope_that_are_not_archived(
    factory: Factory, db: AsyncSession
) -> None:
    offer = await factory.offer()
    data = SessionCreate.model_validate(SESSION | {"offer_id": offer.id})
    coordinator = access(role=Role.REGIONAL_COORDINATOR, regions=("02",))
    with pytest.raises(ProblemError) as outside:
        await service.create(db, coordinator, data)
    assert outside.value.errors is not None
    assert outside.value.errors[0].reason == "no offer in your scope has this id"
    await catalogue_service.archive(db, factory.admin, offer, None)
    assert offer.status == PublicationStatus.ARCHIVED
    with pytest.raises(ProblemError) as archived:
        await service.create(db, factory.admin, data)
    assert archived.value.errors is not None
    assert archived.value.errors[0].reason == "the offer is archived"


async def test_seats_cannot_drop_below_those_reserved(factory: Factory, db: AsyncSession) -> None:
    session = await factory.session(seats_total=3)
    counsellor = access(role=Role.COUNSELLOR, subject="counsellor")
    reservation = await service.reserve(db, counsellor, session, "referral-1", 2)
    assert reservation.session_seats_remaining == 1
    again = await service.reserve(db, counsellor, session, "referral-1", 2)
    assert again.id == reservation.id
    with pytest.raises(ProblemError) as no_seats:
        await service.reserve(db, counsellor, session, "referral-2", 2)
    assert no_seats.value.slug == "no-seats-left"
    await db.refresh(session)
    with pytest.raises(ProblemError) as too_few:
        await service.update(db, session, SessionUpdate(seats_total=1), None)
    assert too_few.value.errors is not None
    assert too_few.value.errors[0].field == "body.seats_total"
