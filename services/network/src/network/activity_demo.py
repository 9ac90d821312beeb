"""Demo activity (hooks of ``network.demo``).

``seed_history``: what the networks did from August 2017 to May 2021, generated at the scale
asked — working-group meetings, forums and job fairs, trainings, workshops and study visits, held
(a few cancelled) with the partners who attended, the decisions taken and their action items
(done, or still open and overdue); the agreements partners signed, with their commitments per
sector and the progress reported on them.

``seed_activity``: the pilot networks' activity around today for ``make run``: upcoming events —
the textile group's monthly meeting among them —, a training just held with its attendance,
decision and action items, a convention with a commitment and its progress, and the calendar feeds
turned on, so the agenda and the feeds work at once. Its dates are relative to the day the demo
is loaded: the events are always upcoming.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from random import Random
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
from network.networks.models import Network, WorkingGroup
from network.partners.models import Partner
from network.settings import Settings
from network.vocabulary import ActionItemStatus
from shared.demo import PILOT_END, PILOT_MONTHS, PILOT_START, REGION_TOWNS, rng
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


def _month(start: date, months: int) -> date:
    total = start.month - 1 + months
    return date(start.year + total // 12, total % 12 + 1, 1)


_FIRST_NAMES = (
    "Mohammed", "Fatima", "Youssef", "Khadija", "Ahmed", "Aicha", "Omar", "Salma", "Hamza",
    "Meryem", "Rachid", "Nadia", "Karim", "Houda", "Said", "Imane", "Mustapha", "Zineb", "Hicham",
    "Samira", "Abdelaziz", "Latifa", "Driss", "Naima", "Anas", "Soukaina",
)  # fmt: skip
_LAST_NAMES = (
    "Alaoui", "Benali", "El Amrani", "Idrissi", "Bennani", "Tazi", "El Fassi", "Berrada",
    "Chraibi", "Ouazzani", "El Khatib", "Benjelloun", "Lahlou", "Azzouzi", "Bouzidi", "Mansouri",
    "El Haddad", "Naciri", "Ziani", "Amrani", "Zerouali", "Boukhari",
)  # fmt: skip
_FUNCTIONS = (
    "Directeur général",
    "Responsable des ressources humaines",
    "Chargée de mission",
    "Directeur des études",
    "Présidente",
    "Chef de service",
    "Responsable formation",
    "Coordinatrice de projets",
)
# (kind, weight, titles): a title may name the group's sector, the town or the year.
_EVENTS: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("meeting", 45, ("Réunion du {group}", "Réunion de suivi du {group}")),
    (
        "seminar",
        15,
        (
            "Forum régional de l'emploi {year}",
            "Salon de l'emploi et de la formation de {town}",
            "Séminaire adéquation formation-emploi {year}",
        ),
    ),
    (
        "training",
        15,
        (
            "Formation : tutorat des stagiaires en entreprise",
            "Formation : accompagnement à la création de TPE",
            "Formation : recrutement inclusif des personnes vulnérables",
            "Formation : ingénierie de la formation en alternance",
        ),
    ),
    (
        "workshop",
        15,
        (
            "Atelier besoins en compétences du secteur",
            "Atelier de cartographie de l'offre de formation",
            "Atelier Processus de Turin : diagnostic régional",
        ),
    ),
    (
        "study_visit",
        10,
        (
            "Visite d'étude : zone industrielle de {town}",
            "Visite d'étude : centre de formation en alternance",
            "Visite d'étude : coopératives de la province",
        ),
    ),
)
_PLACES = ("Siège du Conseil de la Région", "Chambre de commerce", "Agence ANAPEC", "ISTA")
_DECISIONS = (
    "Constituer une liste commune des postes de stage de l'année.",
    "Organiser une session d'information pour les jeunes des quartiers prioritaires.",
    "Adapter le contenu de la formation aux besoins exprimés par les entreprises.",
    "Mettre à jour la cartographie des besoins en compétences du secteur.",
    "Lancer une convention de stages avec les établissements de formation.",
    "Partager chaque trimestre les recrutements prévus par les entreprises membres.",
)
_ACTIONS = (
    "Transmettre la liste des postes disponibles",
    "Désigner un tuteur par entreprise",
    "Rédiger le compte rendu et le diffuser aux membres",
    "Préparer le projet de convention",
    "Recenser les candidats des associations",
    "Envoyer les besoins en compétences à l'ANAPEC",
)
# (kind, unit, description, quantities): what each kind of agreement commits to.
_COMMITMENTS: dict[str, tuple[str, str, tuple[int, ...]]] = {
    "internships_apprenticeships": ("internships", "Stages en entreprise", (10, 15, 20, 30)),
    "hiring_commitment": ("hires", "Embauches à l'issue de la formation", (5, 8, 12, 20)),
    "training_partnership": ("trainees", "Jeunes formés en alternance", (15, 20, 25, 40)),
    "funding": ("mad", "Cofinancement de la formation", (50_000, 120_000, 250_000)),
}
_AGREEMENT_TITLES = {
    "internships_apprenticeships": "Convention de stages",
    "hiring_commitment": "Engagement d'embauche",
    "training_partnership": "Partenariat de formation en alternance",
    "funding": "Convention de cofinancement",
}


def _person(draw: Random) -> tuple[str, str]:
    name = f"{draw.choice(_FIRST_NAMES)} {draw.choice(_LAST_NAMES)}"
    return name, draw.choice(_FUNCTIONS)


def _members_on(members: list[tuple[Partner, date]], day: date) -> list[Partner]:
    return [partner for partner, since in members if since <= day]


async def _held_event(
    db: AsyncSession,
    records: DemoRecords,
    network_key: str,
    network: Network,
    group: tuple[str, WorkingGroup] | None,
    day: date,
    draw: Random,
) -> None:
    kinds = [(kind, titles) for kind, weight, titles in _EVENTS for _ in range(weight)]
    kind, titles = draw.choice(kinds)
    if kind == "meeting" and group is None:
        kind, titles = "workshop", _EVENTS[3][2]
    town = draw.choice(REGION_TOWNS[network.region])
    title = draw.choice(titles).format(
        group=group[1].name.replace("Groupe", "groupe") if group else "", year=day.year, town=town
    )
    cancelled = draw.random() < 0.05
    owner: dict[str, Any] = (
        {"working_group_id": group[1].id}
        if kind == "meeting" and group
        else {"network_id": network.id}
    )
    hours = (9, 17) if kind in ("seminar", "training", "study_visit") else (10, 12)
    event = await _event(
        db,
        day,
        hours,
        kind=kind,
        title=title,
        place=f"{draw.choice(_PLACES)}, {town}",
        status="cancelled" if cancelled else "held",
        minutes=None if cancelled else f"Compte rendu de la séance du {day.isoformat()}.",
        **owner,
    )
    if cancelled:
        return
    eligible = _members_on(records.members.get(network_key, []), day)
    if "working_group_id" in owner and group is not None:
        in_group = _members_on(records.group_members.get(group[0], []), day)
        eligible = list(dict.fromkeys(in_group + eligible))
    attendees = draw.sample(eligible, k=min(len(eligible), draw.randrange(3, 9)))
    for partner in attendees:
        name, function = _person(draw)
        attendance = AttendanceCreate(
            partner_id=partner.id, person_name=name, person_function=function
        )
        await attendance_service.create(db, event, attendance)
    if not attendees or kind not in ("meeting", "workshop", "seminar") or draw.random() < 0.3:
        return
    decision = await decisions_service.add_decision(
        db, event, DecisionCreate(text=draw.choice(_DECISIONS))
    )
    for _ in range(draw.randrange(1, 3)):
        owner_partner = draw.choice(attendees)
        # The gateway's demo partner keeps its own list short: its items from then are done.
        done = owner_partner.id == records.partners["demo"].id or draw.random() < 0.75
        item = ActionItemCreate(
            title=draw.choice(_ACTIONS),
            owner_partner_id=owner_partner.id,
            due_date=day + timedelta(days=draw.randrange(30, 120)),
            decision_id=decision.id,
            status=ActionItemStatus.DONE
            if done
            else draw.choice((ActionItemStatus.OPEN,) * 4 + (ActionItemStatus.CANCELLED,)),
        )
        await decisions_service.add_action_item(db, event, item)


async def _events(db: AsyncSession, records: DemoRecords) -> None:
    """``sizes.events`` events, from the pilot's first month to its last, the networks taking
    turns (so that each month has its events)."""
    keys = list(records.networks)
    groups: dict[str, list[tuple[str, WorkingGroup]]] = {key: [] for key in keys}
    for key, working_group in records.groups.items():
        groups[records.group_network[key]].append((key, working_group))
    draws = {key: rng("network", "events", key) for key in keys}
    total = records.sizes.events
    for n in range(total):
        network_key = keys[n % len(keys)]
        network, draw = records.networks[network_key], draws[network_key]
        month = _month(PILOT_START, n * (PILOT_MONTHS - 1) // max(total - 1, 1))
        day = max(
            network.founding_date or PILOT_START, month + timedelta(days=2 + draw.randrange(24))
        )
        group = draw.choice(groups[network_key]) if groups[network_key] else None
        await _held_event(db, records, network_key, network, group, day, draw)
        records.advance(1)


async def _agreements(db: AsyncSession, records: DemoRecords) -> None:
    """One agreement for about seven partners, between members of a network, signed in the
    pilot's years, with commitments and the progress reported on them."""
    keys = list(records.networks)
    for n in range(max(1, records.sizes.partners // 7)):
        network_key = keys[n % len(keys)]
        network = records.networks[network_key]
        draw = rng("network", "agreement", network_key, n)
        members = [
            partner
            for partner, _ in records.members.get(network_key, [])
            if partner.id != records.partners["demo"].id
        ]
        if len(members) < 2:
            continue
        parties = draw.sample(members, k=min(len(members), draw.randrange(2, 4)))
        kind = draw.choice(list(_COMMITMENTS))
        unit, description, quantities = _COMMITMENTS[kind]
        start = _month(date(2018, 1, 1), draw.randrange(30))
        end = min(_month(start, 12 * draw.randrange(1, 3)) - timedelta(days=1), date(2021, 12, 31))
        sector = next((p.sectors[0] for p in parties if p.sectors), None)
        committing = draw.choice(parties)
        agreement = await agreements_service.create(
            db,
            ADMIN,
            AgreementCreate.model_validate(
                {
                    "title": f"{_AGREEMENT_TITLES[kind]} n° {n + 1}",
                    "kind": kind,
                    "region": network.region,
                    "network_id": network.id,
                    "objectives": f"{description} chez les partenaires.",
                    "party_ids": [p.id for p in parties],
                    "start_date": start,
                    "end_date": end,
                    "status": "completed" if end <= PILOT_END else "signed",
                    "signed_date": start - timedelta(days=draw.randrange(7, 40)),
                    "commitments": [
                        {
                            "description": description,
                            "quantity": draw.choice(quantities),
                            "unit": unit,
                            "sector": sector,
                            "partner_id": committing.id,
                        }
                    ],
                }
            ),
        )
        commitment = (await agreements_service.to_read(db, agreement)).commitments[0]
        stored = await agreements_service.get_commitment(db, agreement, commitment.id)
        target = commitment.quantity * draw.uniform(0.6, 1.1)
        reports = draw.randrange(1, 4)
        for r in range(1, reports + 1):
            reported_on = start + (end - start) * r // reports
            progress = ProgressCreate(reported_on=reported_on, achieved=round(target * r / reports))
            await agreements_service.report_progress(db, agreement, stored, progress)


async def seed_history(db: AsyncSession, records: DemoRecords) -> None:
    await _events(db, records)
    await _agreements(db, records)


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
