"""What the pilot's demo data holds, decided before anything is written: the associations, and
for each person their record, consents, journey, case file, referral, outcome and follow-ups,
all dated. Pure and deterministic (``shared.demo.rng``): the same sizes give the same plan on
every run, so ``beneficiaries.demo`` only has to write it through the domain services.

The people of the pilot were taken in between August 2017 and May 2021 and have all left the
support since; exactly ``sizes.placed`` of them reached a job, a very small business (TPE), a
cooperative or auto-entrepreneur status. The demo association (the gateway's demo manager and
counsellor work for it) also has four people in support today, in 2026 (``CURRENT``).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from beneficiaries.outcomes.service import add_months
from beneficiaries.referrals.schemas import ReferralStatus
from beneficiaries.vocabulary import (
    FOLLOW_UP_MONTHS,
    ActionKind,
    ConsentPurpose,
    ConsentStatus,
    ContractType,
    ExitReason,
    FollowUpStatus,
    JourneyStage,
    OutcomeKind,
)
from shared.demo import (
    PILOT_END,
    PILOT_START,
    Catalogue,
    PlannedSession,
    Sizes,
    catalogue,
    demo_id,
    provider_id,
    rng,
)
from shared.reference import Sector, VulnerabilityCriterion, provinces

# The association the gateway's demo accounts manager@ and counsellor@ work for
# (gateway/src/gateway/demo.py names the same id).
DEMO_ASSOCIATION_ID = UUID("6f1c2a4e-0d51-4c8e-9b0a-5a3e1d7c0001")

# How the programme's positive outcomes split in the pilot (the rest: auto-entrepreneurs).
PLACED_MIX = (
    (OutcomeKind.EMPLOYMENT, 0.58),
    (OutcomeKind.VERY_SMALL_BUSINESS, 0.12),
    (OutcomeKind.COOPERATIVE, 0.14),
)
# Of the other people: how many left for further training, or with an outcome of none.
FURTHER_TRAINING_SHARE = 0.12
NO_OUTCOME_RECORDED_SHARE = 0.07
# Of the people who never placed: how many refused their figures to be counted (law 09-08).
# None in the pilot: its figures are the programme's own (550 people, 200 placed), as the
# dashboard shows them; the national data has objections (``demo_national``), and the
# statistics' tests exercise them.
STATISTICS_REFUSED_SHARE = 0.0


@dataclass(frozen=True)
class PlannedAssociation:
    id: UUID
    name: str
    legal_id: str
    region: str
    province: str | None
    sectors: tuple[Sector, ...]
    contact_email: str
    contact_phone: str

    def fields(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "legal_id": self.legal_id,
            "region": self.region,
            "province": self.province,
            "sectors": [sector.value for sector in self.sectors],
            "contact_name": "Bureau de l'association",
            "contact_email": self.contact_email,
            "contact_phone": self.contact_phone,
        }


@dataclass(frozen=True)
class PlannedConsent:
    purpose: ConsentPurpose
    status: ConsentStatus
    on: date


@dataclass(frozen=True)
class PlannedMove:
    stage: JourneyStage
    on: date
    exit_reason: ExitReason | None = None


@dataclass(frozen=True)
class PlannedAction:
    kind: ActionKind
    on: date
    minutes: int
    attended: bool


@dataclass(frozen=True)
class PlannedReferralEvent:
    status: ReferralStatus
    on: date
    reason: str | None = None


@dataclass(frozen=True)
class PlannedReferral:
    session: PlannedSession
    provider_id: UUID
    events: tuple[PlannedReferralEvent, ...]  # from ``referred``, in order

    @property
    def status(self) -> ReferralStatus:
        return self.events[-1].status


@dataclass(frozen=True)
class PlannedFollowUp:
    month: int
    status: FollowUpStatus
    outcome_holds: bool | None
    on: date  # when it was recorded


@dataclass(frozen=True)
class PlannedOutcome:
    kind: OutcomeKind
    on: date
    employer: str | None = None
    contract_type: ContractType | None = None
    sector: Sector | None = None
    isco_group: str | None = None
    follow_ups: tuple[PlannedFollowUp, ...] = ()

    def fields(self) -> dict[str, Any]:
        return {
            "type": self.kind.value,
            "outcome_date": self.on.isoformat(),
            "employer": self.employer,
            "contract_type": None if self.contract_type is None else self.contract_type.value,
            "sector": None if self.sector is None else self.sector.value,
            "isco_group": self.isco_group,
        }


@dataclass(frozen=True)
class PlannedPerson:
    association_id: UUID
    record: dict[str, Any]  # a ``BeneficiaryCreate`` body (without association_id)
    intake: date
    consents: tuple[PlannedConsent, ...]
    moves: tuple[PlannedMove, ...] = ()
    diagnosis: date | None = None
    plan: date | None = None
    sector: Sector | None = None  # what the plan aims at
    actions: tuple[PlannedAction, ...] = ()
    referral: PlannedReferral | None = None
    outcome: PlannedOutcome | None = None

    @property
    def stage(self) -> JourneyStage:
        return self.moves[-1].stage if self.moves else JourneyStage.INTAKE

    @property
    def objects_to_statistics(self) -> bool:
        decisions = [c for c in self.consents if c.purpose is ConsentPurpose.STATISTICS]
        return bool(decisions) and decisions[-1].status is not ConsentStatus.GIVEN


@dataclass(frozen=True)
class PilotPlan:
    associations: tuple[PlannedAssociation, ...]
    people: tuple[PlannedPerson, ...]
    catalogue: Catalogue = field(repr=False)


# Invented names: clearly fictional (the "Demo-" family names), never a real person's.
FEMALE_NAMES = (
    "Salma", "Imane", "Khadija", "Fatima Zahra", "Hajar", "Meryem", "Sanae", "Nadia", "Soukaina",
    "Houda", "Asmae", "Loubna", "Hanane", "Ikram", "Samira", "Zineb", "Naima", "Kawtar", "Rachida",
    "Latifa", "Chaimae", "Wiam", "Ghizlane", "Amal", "Siham", "Btissam", "Najat", "Hind",
)  # fmt: skip
MALE_NAMES = (
    "Yassine", "Omar", "Mohamed", "Youssef", "Hamza", "Ayoub", "Anas", "Mehdi", "Soufiane", "Adil",
    "Rachid", "Abdelilah", "Khalid", "Hicham", "Ismail", "Zakaria", "Nabil", "Tarik", "Amine",
    "Bilal", "Othmane", "Reda", "Said", "Driss", "Mustapha", "Jamal", "Karim", "Badr",
)  # fmt: skip
FAMILY_NAMES = (
    "Alaoui", "Berrada", "Chraibi", "Daoudi", "El Amrani", "Bennani", "Tazi", "Idrissi", "Fassi",
    "Benjelloun", "El Khatib", "Ouazzani", "Skalli", "Lahlou", "Bouzid", "Zerouali", "Naciri",
    "Kettani", "Rifi", "Aarab", "Boukhari", "Chentoufi", "El Hamdaoui", "Jebli", "Mernissi",
    "Oulad Ali", "Saidi", "Tahiri", "Yacoubi", "Ziani", "Ait Brahim", "Bakkali", "Haddou",
)  # fmt: skip
COMMUNES: dict[str, tuple[str, ...]] = {
    "01.511": ("Tanger", "Assilah", "Gueznaya", "Sebt Azzinate"),
    "01.573": ("M'diq", "Fnideq", "Martil", "Allyene"),
    "01.571": ("Tétouan", "Oued Laou", "Azla", "Zaitoune"),
    "01.227": ("Ksar Sghir", "Anjra", "Malloussa"),
    "01.331": ("Larache", "Ksar El Kébir", "Laouamra", "Tatoft"),
    "01.051": ("Al Hoceïma", "Imzouren", "Bni Bouayach", "Targuist"),
    "01.151": ("Chefchaouen", "Bab Taza", "Bab Berred", "Tanaqob"),
    "01.405": ("Ouezzane", "Mokrisset", "Zoumi"),
    "02.411": ("Oujda", "Bni Drar", "Neima", "Isly"),
    "02.381": ("Nador", "Selouane", "Zeghanghane", "Beni Ansar"),
    "02.167": ("Driouch", "Midar", "Ben Taieb"),
    "02.275": ("Jerada", "Aïn Bni Mathar", "Touissit"),
    "02.113": ("Berkane", "Saïdia", "Ahfir", "Aklim"),
    "02.533": ("Taourirt", "El Aioun Sidi Mellouk", "Debdou"),
    "02.265": ("Guercif", "Houara Oulad Raho", "Lamrija"),
    "02.251": ("Bouarfa", "Figuig", "Tendrara"),
}
ASSOCIATION_NAMES = (
    ("Association Tamkine pour l'insertion des jeunes et des femmes", "RC-TET-2018-0421"),
    ("Association Amal Chamal pour le développement", "RC-TNG-2015-1187"),
    ("Association Al Wifaq de l'Oriental", "RC-OUJ-2012-0332"),
    ("Association Tawassol Rif pour la jeunesse", "RC-HOC-2016-0078"),
    ("Association Nahda Nador pour l'emploi des femmes", "RC-NAD-2014-0519"),
    ("Association Ichraq Chefchaouen", "RC-CHE-2017-0093"),
    ("Association Badil Berkane pour l'insertion", "RC-BER-2013-0260"),
    ("Association Mobadara Larache", "RC-LAR-2011-0644"),
    ("Association Jisr Taourirt pour le développement local", "RC-TAO-2016-0151"),
    ("Association Afak Ouezzane", "RC-OUZ-2018-0037"),
    ("Association Assafa Guercif pour l'économie sociale", "RC-GUE-2015-0112"),
)
EMPLOYERS: dict[Sector, tuple[str, ...]] = {
    Sector.TOURISM: ("Hôtel Riviera Demo", "Riad Demo Médina", "Demo Voyages Nord"),
    Sector.RENEWABLE_ENERGY: ("Demo Solaire Maroc", "Éolien Demo Koudia"),
    Sector.CRAFTS: ("Atelier Demo Dinanderie", "Demo Zellige et Fils"),
    Sector.TEXTILE: ("Demo Confection Tanger", "Textiles Demo Oriental", "Demo Denim Med"),
    Sector.AGRICULTURE_AGRIFOOD: ("Demo Agrumes Berkane", "Conserverie Demo Nador"),
    Sector.CONSTRUCTION: ("Demo BTP Chamal", "Demo Bâtiment Oujda"),
    Sector.AUTOMOTIVE_AERONAUTICS: ("Demo Câblage Automobile", "Demo Aéro Composants"),
    Sector.OFFSHORING_DIGITAL: ("Demo Centre d'Appels Med", "Demo Digital Services"),
}
# The ISCO-08 major groups the pilot's jobs fall into, per sector (service and sales workers,
# craft workers, operators, elementary occupations; some clerks and technicians).
ISCO_GROUPS: dict[Sector, tuple[str, ...]] = {
    Sector.TOURISM: ("5", "5", "9", "4"),
    Sector.RENEWABLE_ENERGY: ("7", "3", "8"),
    Sector.CRAFTS: ("7", "7", "9"),
    Sector.TEXTILE: ("8", "7", "9"),
    Sector.AGRICULTURE_AGRIFOOD: ("9", "6", "8"),
    Sector.CONSTRUCTION: ("7", "9", "8"),
    Sector.AUTOMOTIVE_AERONAUTICS: ("8", "7", "3"),
    Sector.OFFSHORING_DIGITAL: ("4", "4", "3"),
}
CONTRACTS = (
    (ContractType.FIXED_TERM, 0.38),
    (ContractType.INSERTION, 0.22),
    (ContractType.PERMANENT, 0.16),
    (ContractType.SEASONAL, 0.1),
    (ContractType.APPRENTICESHIP, 0.06),
    (ContractType.TEMPORARY_AGENCY, 0.05),
    (ContractType.OTHER, 0.03),
)
SKILLS = (
    "Couture de base", "Accueil du public", "Cuisine familiale", "Maîtrise de l'arabe et du "
    "français à l'oral", "Bureautique de base", "Vente sur les marchés", "Travaux agricoles",
    "Petite maçonnerie", "Garde d'enfants", "Permis de conduire B",
)  # fmt: skip
CONSTRAINTS = (
    "Garde des enfants", "Transport depuis le douar", "Pas de diplôme reconnu",
    "Santé fragile", "Horaires de travail familial", "Aucune expérience salariée",
)  # fmt: skip
NEEDS = (
    "Formation qualifiante", "Techniques de recherche d'emploi", "Accompagnement à la création "
    "d'activité", "Remise à niveau en français", "Aide aux démarches administratives",
    "Accès au microcrédit",
)  # fmt: skip
OBJECTIVES: dict[Sector, str] = {
    Sector.TOURISM: "Trouver un emploi dans l'hôtellerie ou la restauration",
    Sector.RENEWABLE_ENERGY: "Se qualifier comme installateur de panneaux solaires",
    Sector.CRAFTS: "Vivre de son savoir-faire artisanal",
    Sector.TEXTILE: "Intégrer une unité de confection",
    Sector.AGRICULTURE_AGRIFOOD: "Travailler dans l'agro-alimentaire ou créer une coopérative",
    Sector.CONSTRUCTION: "Obtenir un emploi qualifié sur les chantiers",
    Sector.AUTOMOTIVE_AERONAUTICS: "Entrer comme opérateur dans l'industrie automobile",
    Sector.OFFSHORING_DIGITAL: "Devenir téléconseiller ou téléconseillère",
}
REJECTIONS = (
    "Prérequis de niveau non atteints",
    "Session complète",
    "Horaires incompatibles avec la situation familiale",
)
DROPS = (
    "A trouvé un travail saisonnier",
    "Raisons familiales",
    "Difficultés de transport",
    "Problème de santé",
)


def _weighted(draw: random.Random, choices: Sequence[tuple[Any, float]]) -> Any:
    """One of ``choices`` (value, weight); the last takes what the others leave."""
    point = draw.random()
    for value, weight in choices[:-1]:
        if point < weight:
            return value
        point -= weight
    return choices[-1][0]


def _days(draw: random.Random, low: int, high: int) -> timedelta:
    return timedelta(days=draw.randint(low, high))


def plan_associations(sizes: Sizes) -> tuple[PlannedAssociation, ...]:
    """The pilot's associations: the demo association first (Tamkine, Tétouan), the others over
    the regions and their provinces."""
    draw = rng("demo-associations", sizes.associations)
    sectors = tuple(EMPLOYERS)
    planned = []
    for n in range(sizes.associations):
        name, legal_id = ASSOCIATION_NAMES[n % len(ASSOCIATION_NAMES)]
        if n >= len(ASSOCIATION_NAMES):
            name, legal_id = f"{name} {n // len(ASSOCIATION_NAMES) + 1}", f"{legal_id}-{n}"
        region = sizes.regions[n % len(sizes.regions)]
        where = [p.code for p in provinces() if p.region_code == region]
        # The reference data has the provinces of the pilot regions only.
        province = (
            "01.571"
            if n == 0
            else (where[(n // len(sizes.regions) + 1) % len(where)] if where else None)
        )
        chosen = (
            (Sector.TEXTILE, Sector.TOURISM, Sector.CRAFTS)
            if n == 0
            else tuple(draw.sample(sectors, 2 + draw.randrange(2)))
        )
        planned.append(
            PlannedAssociation(
                id=DEMO_ASSOCIATION_ID if n == 0 else demo_id("association", n),
                name=name,
                legal_id=legal_id,
                region=region,
                province=province,
                sectors=chosen,
                contact_email=f"contact{n}@association-demo.example.ma",
                contact_phone=f"+212 5{draw.randint(28, 39)} {draw.randint(10, 99)} "
                f"{draw.randint(10, 99)} {draw.randint(10, 99)}",
            )
        )
    return tuple(planned)


def _record(
    draw: random.Random, number: int, association: PlannedAssociation, intake: date
) -> dict[str, Any]:
    female = draw.random() < 0.58  # the programme aims at women first
    age = draw.randint(16, 55)
    birth = date(intake.year - age, 1, 1) - _days(draw, 0, 364)
    province = association.province if draw.random() < 0.7 else None
    if province is None:
        here = [p.code for p in provinces() if p.region_code == association.region]
        province = here[draw.randrange(len(here))] if here else None
    criteria: list[VulnerabilityCriterion] = []
    if age <= 24:
        criteria.append(VulnerabilityCriterion.NEET_YOUTH)
        if draw.random() < 0.4:
            criteria.append(VulnerabilityCriterion.SCHOOL_DROPOUT)
    if female and draw.random() < 0.45:
        criteria.append(VulnerabilityCriterion.WOMAN_IN_PRECARITY)
    if female and age >= 22 and draw.random() < 0.2:
        criteria.append(VulnerabilityCriterion.SINGLE_PARENT)
    if age > 24 and draw.random() < 0.45:
        criteria.append(VulnerabilityCriterion.LONG_TERM_UNEMPLOYED)
    for criterion, share in (
        (VulnerabilityCriterion.RURAL_RESIDENT, 0.25),
        (VulnerabilityCriterion.LOW_INCOME_HOUSEHOLD, 0.3),
        (VulnerabilityCriterion.PERSON_WITH_DISABILITY, 0.05),
        (VulnerabilityCriterion.MIGRANT_OR_REFUGEE, 0.03 if association.region == "02" else 0.01),
        (VulnerabilityCriterion.FORMER_DETAINEE, 0.015),
    ):
        if draw.random() < share:
            criteria.append(criterion)
    if not criteria:
        criteria.append(VulnerabilityCriterion.LOW_INCOME_HOUSEHOLD)
    vulnerabilities = []
    for criterion in criteria:
        if criterion is VulnerabilityCriterion.RURAL_RESIDENT:
            since = birth
        elif criterion is VulnerabilityCriterion.SCHOOL_DROPOUT:
            since = date(birth.year + draw.randint(12, 15), 6, 30)
        else:
            since = intake - _days(draw, 60, 1500)
        vulnerabilities.append(
            {"criterion": criterion.value, "since": max(since, birth).isoformat()}
        )
    education = draw.choice(
        ["none", "primary", "primary", "lower_secondary", "lower_secondary", "upper_secondary"]
        + ["upper_secondary", "post_secondary", "short_tertiary", "bachelor"]
    )
    names = FEMALE_NAMES if female else MALE_NAMES
    record: dict[str, Any] = {
        "first_name": draw.choice(names),
        "last_name": f"Demo-{draw.choice(FAMILY_NAMES)}",
        "sex": "female" if female else "male",
        "birth_date": birth.isoformat(),
        "region": association.region,
        "province": province,
        "commune": draw.choice(COMMUNES.get(province or "", ("Centre",))),
        "education_level": education,
        "vulnerabilities": vulnerabilities,
    }
    if draw.random() < 0.85:
        record["phone"] = f"+212 6{draw.randint(10, 99)} {draw.randint(100, 999)} " + str(
            draw.randint(100, 999)
        )
    if age >= 18 and draw.random() < 0.65:
        record["cin"] = f"LD{200000 + number:06d}"
    return record


def _sessions_by_region(sessions: Sequence[PlannedSession]) -> dict[str, list[PlannedSession]]:
    by_region: dict[str, list[PlannedSession]] = {}
    for session in sorted(sessions, key=lambda s: (s.start, s.key)):
        by_region.setdefault(session.region, []).append(session)
    return by_region


def _outcome_kinds(draw: random.Random, placed: int) -> list[OutcomeKind]:
    kinds: list[OutcomeKind] = []
    for kind, share in PLACED_MIX:
        kinds += [kind] * round(placed * share)
    kinds = kinds[:placed] + [OutcomeKind.SELF_EMPLOYED] * max(0, placed - len(kinds))
    draw.shuffle(kinds)
    return kinds


def _follow_ups(
    draw: random.Random, outcome_date: date, holding: float
) -> tuple[PlannedFollowUp, ...]:
    """Months 3, 6 and 12 after the outcome: done (holding or not) or missed; an outcome that
    no longer held does not hold again."""
    planned = []
    holds = True
    for month in FOLLOW_UP_MONTHS:
        recorded = add_months(outcome_date, month) + _days(draw, 0, 12)
        if draw.random() < (0.1 if month < 12 else 0.16):
            planned.append(PlannedFollowUp(month, FollowUpStatus.MISSED, None, recorded))
            continue
        holds = holds and draw.random() < holding
        planned.append(PlannedFollowUp(month, FollowUpStatus.DONE, holds, recorded))
    return tuple(planned)


def _actions(draw: random.Random, start: date, end: date, count: int) -> tuple[PlannedAction, ...]:
    span = max(1, (end - start).days)
    kinds = [
        (ActionKind.COACHING, 0.35),
        (ActionKind.WORKSHOP, 0.2),
        (ActionKind.JOB_SEARCH_HELP, 0.2),
        (ActionKind.ADMINISTRATIVE_HELP, 0.12),
        (ActionKind.MENTORING, 0.13),
    ]
    days = sorted(start + timedelta(days=draw.randrange(span)) for _ in range(count))
    return tuple(
        PlannedAction(
            kind=_weighted(draw, kinds),
            on=day,
            minutes=draw.choice((30, 45, 60, 60, 90, 120)),
            attended=draw.random() < 0.9,
        )
        for day in days
    )


def _referral(
    draw: random.Random,
    sessions: Sequence[PlannedSession],
    provider_ids: dict[str, UUID],
    plan_day: date,
    finish: ReferralStatus,
) -> PlannedReferral | None:
    """A referral to a session of the region starting 2 weeks to 8 months after the plan:
    referred before it starts, accepted (or rejected) before it starts, enrolled at its start,
    completed or dropped at its end."""
    open_ones = [
        s
        for s in sessions
        if plan_day + timedelta(days=14) <= s.start <= plan_day + timedelta(days=240)
    ]
    if not open_ones:
        return None
    session = draw.choice(open_ones[:6])
    referred = plan_day + _days(draw, 1, 6)
    accepted = referred + _days(draw, 2, max(3, min(20, (session.start - referred).days - 1)))
    accepted = min(accepted, session.start - timedelta(days=1))
    events = [PlannedReferralEvent(ReferralStatus.REFERRED, referred)]
    if finish is ReferralStatus.REJECTED:
        if draw.random() < 0.5:
            events.append(PlannedReferralEvent(ReferralStatus.ACCEPTED, accepted))
        events.append(
            PlannedReferralEvent(
                ReferralStatus.REJECTED,
                min(accepted + _days(draw, 1, 5), session.start - timedelta(days=1)),
                draw.choice(REJECTIONS),
            )
        )
    else:
        events += [
            PlannedReferralEvent(ReferralStatus.ACCEPTED, accepted),
            PlannedReferralEvent(ReferralStatus.ENROLLED, session.start),
        ]
        reason = draw.choice(DROPS) if finish is ReferralStatus.DROPPED else None
        events.append(PlannedReferralEvent(finish, session.end, reason))
    return PlannedReferral(session, provider_ids[session.offer_key], tuple(events))


def _historic_person(
    number: int,
    association: PlannedAssociation,
    kind: OutcomeKind | None,
    objects: bool,
    sessions: Sequence[PlannedSession],
    provider_ids: dict[str, UUID],
) -> PlannedPerson:
    """One person of the pilot, from intake to their exit. ``kind``: their outcome (None for
    an exit with a reason only)."""
    draw = rng("demo-person", number)
    span = (PILOT_END - PILOT_START).days
    intake = PILOT_START + timedelta(days=draw.randrange(span))
    record = _record(draw, number, association, intake)
    placed = kind in (
        OutcomeKind.EMPLOYMENT,
        OutcomeKind.VERY_SMALL_BUSINESS,
        OutcomeKind.COOPERATIVE,
        OutcomeKind.SELF_EMPLOYED,
    )
    # How far the support went before the exit.
    if kind is not None:
        last = JourneyStage.JOB_SEARCH
    else:
        last = _weighted(
            draw,
            [
                (JourneyStage.INTAKE, 0.08),
                (JourneyStage.DIAGNOSIS, 0.15),
                (JourneyStage.PLAN, 0.17),
                (JourneyStage.TRAINING, 0.2),
                (JourneyStage.JOB_SEARCH, 0.4),
            ],
        )
    consents = [PlannedConsent(ConsentPurpose.SUPPORT, ConsentStatus.GIVEN, intake)]
    if objects:
        consents.append(PlannedConsent(ConsentPurpose.STATISTICS, ConsentStatus.REFUSED, intake))
    elif draw.random() < 0.93:
        consents.append(PlannedConsent(ConsentPurpose.STATISTICS, ConsentStatus.GIVEN, intake))
    sector = draw.choice(association.sectors)
    moves: list[PlannedMove] = []
    diagnosis = plan = None
    referral = None
    day = intake
    if last is not JourneyStage.INTAKE:
        day = diagnosis = intake + _days(draw, 5, 30)
        moves.append(PlannedMove(JourneyStage.DIAGNOSIS, day))
    if last not in (JourneyStage.INTAKE, JourneyStage.DIAGNOSIS):
        day = plan = day + _days(draw, 7, 25)
        moves.append(PlannedMove(JourneyStage.PLAN, day))
        training_wanted = last is JourneyStage.TRAINING or draw.random() < (0.8 if placed else 0.6)
        if training_wanted:
            if last is JourneyStage.TRAINING:
                finish = ReferralStatus.DROPPED
            else:
                finish = _weighted(
                    draw,
                    [
                        (ReferralStatus.COMPLETED, 0.84 if placed else 0.7),
                        (ReferralStatus.DROPPED, 0.04 if placed else 0.14),
                        (ReferralStatus.REJECTED, 0.12),
                    ],
                )
            referral = _referral(draw, sessions, provider_ids, plan, finish)
        if referral is not None:
            consents.append(
                PlannedConsent(
                    ConsentPurpose.SHARING_WITH_PROVIDERS,
                    ConsentStatus.GIVEN,
                    referral.events[0].on - _days(draw, 0, 1),
                )
            )
            if referral.status is ReferralStatus.REJECTED:
                day = referral.events[-1].on + _days(draw, 2, 15)
            else:
                moves.append(PlannedMove(JourneyStage.TRAINING, referral.session.start))
                day = referral.session.end
                if last is not JourneyStage.TRAINING:
                    day += timedelta(days=1)
                sector = referral.session.sector
        elif last is JourneyStage.TRAINING:
            last = JourneyStage.PLAN  # no session open for them: they left while planning
        if last is not JourneyStage.TRAINING and last is not JourneyStage.PLAN:
            if referral is None or referral.status is ReferralStatus.REJECTED:
                day += _days(draw, 7, 30)
            moves.append(PlannedMove(JourneyStage.JOB_SEARCH, day))
    outcome = None
    if kind is not None:
        outcome_day = day + _days(draw, 20, 200 if placed else 120)
        if kind is OutcomeKind.EMPLOYMENT:
            outcome = PlannedOutcome(
                kind,
                outcome_day,
                employer=draw.choice(EMPLOYERS[sector]),
                contract_type=_weighted(draw, CONTRACTS),
                sector=sector,
                isco_group=draw.choice(ISCO_GROUPS[sector]),
                follow_ups=_follow_ups(draw, outcome_day, 0.88),
            )
        elif kind is OutcomeKind.NONE:
            outcome = PlannedOutcome(kind, outcome_day)
        else:
            holding = 0.75 if kind is OutcomeKind.FURTHER_TRAINING else 0.85
            outcome = PlannedOutcome(
                kind, outcome_day, sector=sector, follow_ups=_follow_ups(draw, outcome_day, holding)
            )
        day = outcome_day + _days(draw, 0, 20)
        moves.append(PlannedMove(JourneyStage.EXITED, day))
    else:
        if last in (JourneyStage.INTAKE, JourneyStage.DIAGNOSIS, JourneyStage.PLAN):
            reason = draw.choice(
                [ExitReason.UNREACHABLE, ExitReason.MOVED_AWAY, ExitReason.FAMILY_REASONS]
                + [ExitReason.HEALTH, ExitReason.NO_LONGER_ELIGIBLE, ExitReason.DROPPED_OUT]
            )
            day += _days(draw, 10, 90)
        elif last is JourneyStage.TRAINING:
            reason = ExitReason.DROPPED_OUT
        else:
            reason = draw.choice(
                [ExitReason.UNREACHABLE, ExitReason.MOVED_AWAY, ExitReason.FAMILY_REASONS]
                + [ExitReason.OTHER, ExitReason.HEALTH, ExitReason.UNREACHABLE]
            )
            day += _days(draw, 60, 300)
        moves.append(PlannedMove(JourneyStage.EXITED, day, reason))
    exit_day = moves[-1].on
    return PlannedPerson(
        association_id=association.id,
        record=record,
        intake=intake,
        consents=tuple(sorted(consents, key=lambda c: c.on)),
        moves=tuple(moves),
        diagnosis=diagnosis,
        plan=plan,
        sector=sector if plan is not None else None,
        actions=_actions(draw, intake, exit_day, 1 + draw.randrange(3)),
        referral=referral,
        outcome=outcome,
    )


def _current_people(
    sessions: Sequence[PlannedSession], provider_ids: dict[str, UUID]
) -> tuple[PlannedPerson, ...]:
    """The four people of the demo association in support today (the demo accounts' work)."""
    consented = date(2026, 10, 1)

    def consents(*decisions: tuple[ConsentPurpose, ConsentStatus]) -> tuple[PlannedConsent, ...]:
        return tuple(PlannedConsent(purpose, status, consented) for purpose, status in decisions)

    support = (ConsentPurpose.SUPPORT, ConsentStatus.GIVEN)
    statistics = (ConsentPurpose.STATISTICS, ConsentStatus.GIVEN)
    here = {"region": "01", "province": "01.571"}
    upcoming = next(s for s in sessions if s.start.year == 2027 and s.sector is Sector.TEXTILE)
    draw = rng("demo-current")
    return (
        PlannedPerson(
            association_id=DEMO_ASSOCIATION_ID,
            record=here | {
                "first_name": "Salma", "last_name": "Demo-Alaoui", "sex": "female",
                "birth_date": "2001-03-14", "cin": "LD100001", "phone": "+212 600 000 101",
                "commune": "Martil", "education_level": "upper_secondary",
                "vulnerabilities": [{"criterion": "neet_youth", "since": "2024-07-01"}],
            },
            intake=consented,
            consents=consents(support),
        ),
        PlannedPerson(
            association_id=DEMO_ASSOCIATION_ID,
            record=here | {
                "first_name": "Yassine", "last_name": "Demo-Berrada", "sex": "male",
                "birth_date": "1997-10-02", "cin": "LD100002", "phone": "+212 600 000 102",
                "commune": "Tétouan", "education_level": "lower_secondary",
                "vulnerabilities": [
                    {"criterion": "long_term_unemployed", "since": "2023-02-01"},
                    {"criterion": "school_dropout", "since": "2012-06-30"},
                ],
            },
            intake=consented,
            consents=consents(support, statistics),
            moves=(PlannedMove(JourneyStage.DIAGNOSIS, date(2026, 10, 14)),),
            diagnosis=date(2026, 10, 14),
        ),
        PlannedPerson(
            association_id=DEMO_ASSOCIATION_ID,
            record=here | {
                "first_name": "Imane", "last_name": "Demo-Chraibi", "sex": "female",
                "birth_date": "1989-05-21", "phone": "+212 600 000 103", "commune": "Fnideq",
                "education_level": "primary",
                "vulnerabilities": [
                    {"criterion": "single_parent", "since": "2019-01-01"},
                    {"criterion": "woman_in_precarity", "since": "2022-09-01"},
                ],
            },
            intake=consented,
            consents=consents(
                support, (ConsentPurpose.SHARING_WITH_PROVIDERS, ConsentStatus.GIVEN), statistics
            ),
            moves=(
                PlannedMove(JourneyStage.DIAGNOSIS, date(2026, 10, 6)),
                PlannedMove(JourneyStage.PLAN, date(2026, 10, 20)),
                PlannedMove(JourneyStage.TRAINING, date(2026, 11, 16)),
            ),
            diagnosis=date(2026, 10, 6),
            plan=date(2026, 10, 20),
            sector=Sector.TEXTILE,
            actions=_actions(draw, consented, date(2026, 11, 30), 3),
            referral=PlannedReferral(
                upcoming,
                provider_ids[upcoming.offer_key],
                (
                    PlannedReferralEvent(ReferralStatus.REFERRED, date(2026, 10, 22)),
                    PlannedReferralEvent(ReferralStatus.ACCEPTED, date(2026, 11, 16)),
                ),
            ),
        ),
        PlannedPerson(
            association_id=DEMO_ASSOCIATION_ID,
            record=here | {
                "first_name": "Omar", "last_name": "Demo-Daoudi", "sex": "male",
                "birth_date": "2003-12-09", "cin": "LD100004", "commune": "M'diq",
                "education_level": "upper_secondary",
                "vulnerabilities": [{"criterion": "rural_resident", "since": "2003-12-09"}],
            },
            intake=consented,
            consents=consents(
                support, (ConsentPurpose.SHARING_WITH_PROVIDERS, ConsentStatus.REFUSED)
            ),
            moves=(
                PlannedMove(JourneyStage.DIAGNOSIS, date(2026, 10, 5)),
                PlannedMove(JourneyStage.PLAN, date(2026, 10, 13)),
                PlannedMove(JourneyStage.JOB_SEARCH, date(2026, 11, 2)),
            ),
            diagnosis=date(2026, 10, 5),
            plan=date(2026, 10, 13),
            sector=Sector.TOURISM,
            actions=_actions(draw, consented, date(2026, 11, 30), 4),
        ),
    )  # fmt: skip


def provider_ids(demo_catalogue: Catalogue) -> dict[str, UUID]:
    """The provider of each offer, by its id in the offers service (``shared.demo.provider_id``,
    as the offers demo creates them): a referral names its session's provider."""
    providers = {provider.key: provider_id(provider.key) for provider in demo_catalogue.providers}
    return {offer.key: providers[offer.provider_key] for offer in demo_catalogue.offers}


def plan_pilot(sizes: Sizes) -> PilotPlan:
    """Everything the pilot's demo writes, in the order it is written."""
    associations = plan_associations(sizes)
    demo_catalogue = catalogue(sizes)
    by_offer = provider_ids(demo_catalogue)
    by_region = _sessions_by_region(demo_catalogue.sessions)
    current = _current_people(by_region.get("01", []), by_offer) if sizes.people >= 4 else ()
    historic = sizes.people - len(current)
    placed = min(sizes.placed, historic)
    draw = rng("demo-people", sizes.people, sizes.placed)
    numbers = list(range(historic))
    draw.shuffle(numbers)
    kinds: dict[int, OutcomeKind] = dict(zip(numbers, _outcome_kinds(draw, placed), strict=False))
    others = numbers[placed:]
    further = round(len(others) * FURTHER_TRAINING_SHARE)
    nothing = round(len(others) * NO_OUTCOME_RECORDED_SHARE)
    refused = round(len(others) * STATISTICS_REFUSED_SHARE)
    for number in others[:further]:
        kinds[number] = OutcomeKind.FURTHER_TRAINING
    for number in others[further : further + nothing]:
        kinds[number] = OutcomeKind.NONE
    objecting = set(others[len(others) - refused :])
    people = [
        _historic_person(
            number,
            associations[number % len(associations)],
            kinds.get(number),
            number in objecting,
            by_region.get(associations[number % len(associations)].region, []),
            by_offer,
        )
        for number in range(historic)
    ]
    return PilotPlan(associations, tuple(people) + current, demo_catalogue)
