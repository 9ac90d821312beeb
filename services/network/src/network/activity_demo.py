"""Demo activity for ``make run`` (a hook of ``network.demo``): upcoming events in both pilot
networks — the textile group's monthly meeting among them —, a training already held with its
attendance, decision and action items, a convention with a commitment and its progress, and the
calendar feeds turned on, so the agenda and the feeds work at once.

Dates are relative to the day the demo is loaded: the events are always upcoming.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from network.access import Access
from network.agreements import service as agreements_service
from network.agreements.schemas import AgreementCreate, ProgressCreate
from network.attendance import service as attendance_service
from network.attendance.schemas import AttendanceCreate
from network.decisions import service as decisions_service
from network.decisions.schemas import ActionItemCreate, DecisionCreate
from network.events import recurrence
from network.events import service as events_service
from network.events.models import Event
from network.events.schemas import EventCreate
from network.feeds import service as feeds_service
from network.feeds.service import Owner
from network.feeds.tokens import signer_for
from network.settings import Settings
from shared.principal import Principal, Role

if TYPE_CHECKING:
    from network.demo import DemoRecords

ADMIN = Access(Principal(subject="demo", kind="user", role=Role.ADMIN))


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), recurrence.DISPLAY_ZONE)


async def _event(db: AsyncSession, day: date, hours: tuple[int, int], **fields: Any) -> Event:
    data = EventCreate.model_validate(
        {"starts_at": _at(day, hours[0]), "ends_at": _at(day, hours[1]), **fields}
    )
    return await events_service.create(db, ADMIN, data)


async def seed_activity(db: AsyncSession, records: DemoRecords) -> None:
    today = recurrence.today()
    tanger, oriental = records.networks["tanger"], records.networks["oriental"]
    textile, tourism = records.groups["textile"], records.groups["tourism"]
    partners = records.partners
    first_of_next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    await _event(
        db,
        first_of_next_month + timedelta(days=4),
        (10, 12),
        kind="meeting",
        working_group_id=textile.id,
        title="Réunion mensuelle du groupe textile",
        place="Chambre de commerce, Tanger",
        agenda="Stages d'été, besoins des ateliers, suivi de la convention.",
        recurrence="FREQ=MONTHLY;COUNT=12",
    )
    await _event(
        db,
        today + timedelta(days=14),
        (9, 17),
        kind="seminar",
        network_id=tanger.id,
        title="Séminaire régional adéquation formation-emploi",
        place="Conseil de la Région, Tanger",
    )
    await _event(
        db,
        today + timedelta(days=40),
        (8, 18),
        kind="study_visit",
        network_id=tanger.id,
        title="Visite d'étude : zone franche de Tanger Automotive City",
        place="Tanger Automotive City",
    )
    await _event(
        db,
        today + timedelta(days=21),
        (9, 13),
        kind="workshop",
        network_id=oriental.id,
        title="Atelier saison estivale de Saïdia",
        place="Hôtel Méditerranée, Saïdia",
    )
    await _event(
        db,
        first_of_next_month + timedelta(days=9),
        (15, 17),
        kind="meeting",
        working_group_id=tourism.id,
        title="Réunion du groupe tourisme et artisanat",
        place="Oujda",
        recurrence="FREQ=MONTHLY;INTERVAL=2;COUNT=6",
    )
    held = await _event(
        db,
        today - timedelta(days=20),
        (9, 16),
        kind="training",
        network_id=tanger.id,
        title="Formation : tutorat des stagiaires en entreprise",
        place="ISTA Tétouan",
        status="held",
        minutes="Douze participants ; module de suivi des stagiaires validé.",
    )
    for key, name, function in (
        ("demo", "Salma Idrissi", "Responsable RH"),
        ("ista_01", "Karim Alaoui", "Directeur des études"),
        ("chamber_01", "Nadia Benali", "Chargée de mission"),
    ):
        attendance = AttendanceCreate(
            partner_id=partners[key].id, person_name=name, person_function=function
        )
        await attendance_service.create(db, held, attendance)
    decision = await decisions_service.add_decision(
        db, held, DecisionCreate(text="Accueillir une première promotion de 30 stagiaires.")
    )
    for title, due in (
        ("Transmettre la liste des postes de stage", today + timedelta(days=10)),
        ("Désigner les tuteurs en atelier", today - timedelta(days=5)),
    ):
        item = ActionItemCreate(
            title=title, owner_partner_id=partners["demo"].id, due_date=due, decision_id=decision.id
        )
        await decisions_service.add_action_item(db, held, item)
    agreement = await agreements_service.create(
        db,
        ADMIN,
        AgreementCreate.model_validate(
            {
                "title": "Convention de stages en confection",
                "kind": "internships_apprenticeships",
                "region": "01",
                "network_id": tanger.id,
                "objectives": "Former en alternance 30 jeunes aux métiers de la confection.",
                "party_ids": [partners["demo"].id, partners["ista_01"].id],
                "start_date": today - timedelta(days=90),
                "end_date": today + timedelta(days=275),
                "status": "signed",
                "signed_date": today - timedelta(days=95),
                "commitments": [
                    {
                        "description": "Stages en atelier de confection",
                        "quantity": 30,
                        "unit": "internships",
                        "sector": "textile",
                        "partner_id": partners["demo"].id,
                    }
                ],
            }
        ),
    )
    commitment = (await agreements_service.to_read(db, agreement)).commitments[0]
    stored = await agreements_service.get_commitment(db, agreement, commitment.id)
    progress = ProgressCreate(
        reported_on=today - timedelta(days=7), achieved=12, note="Deux ateliers"
    )
    await agreements_service.report_progress(db, agreement, stored, progress)
    settings = Settings()
    signer = signer_for(settings.calendar_feed_secret, settings.var_dir)
    for owner in (
        Owner(network_id=tanger.id),
        Owner(network_id=oriental.id),
        Owner(working_group_id=textile.id),
        Owner(working_group_id=tourism.id),
    ):
        await feeds_service.rotate(db, owner, signer, settings.public_base_url)
