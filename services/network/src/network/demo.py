"""Demo data: the public-private partnership networks of the programme, generated for the scale
asked — the pilot's two networks (Tanger-Tétouan-Al Hoceïma, region 01, under the public-mandate
model; L'Oriental, region 02, under the charter model) for ``make run``, one network per region
for benchmarks — with their partners, memberships, working groups and labour needs. The history
of the networks since August 2017 (events, attendance, decisions, agreements) and the activity
upcoming from today are ``network.activity_demo``'s, a hook of this module.

The hand-written records below come first (the gateway's demo partner among them, and what the
tests and the demo accounts rely on); the generator adds partners until the scale's count, each
with the id ``shared.demo.demo_id("partner", key)``. Written through the domain services as an
admin, in one transaction; loading it again changes nothing (the demo partner's presence says it
is loaded). Other domains add their own demo records by appending a hook to ``HOOKS``: each gets
the session and the records below.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from random import Random
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from network.access import Access
from network.activity_demo import seed_activity, seed_history
from network.institution_models.programme import CHARTER_MODEL_ID, PUBLIC_MANDATE_MODEL_ID
from network.labour_needs import service as needs_service
from network.labour_needs.schemas import LabourNeedCreate
from network.memberships import service as memberships_service
from network.memberships.schemas import MembershipCreate
from network.networks import service as networks_service
from network.networks.models import Network, WorkingGroup
from network.networks.schemas import NetworkCreate, WorkingGroupCreate
from network.partners import service as partners_service
from network.partners.models import Partner
from network.partners.schemas import PartnerCreate
from network.vocabulary import MembershipRole
from shared.db import create_engine, create_sessionmaker
from shared.demo import (
    DEMO_SECTORS,
    PILOT_END,
    PILOT_START,
    REGION_TOWNS,
    SIZES,
    Scale,
    Sizes,
    demo_id,
    phone,
    rng,
    town,
    web_domain,
)
from shared.principal import Principal, Role
from shared.progress import Advance, progress
from shared.reference import Sector, provinces, regions

# The partner the gateway's demo account partner@demo.kafaat.ma belongs to (gateway/demo.py).
DEMO_PARTNER_ID = UUID("6f1c2a4e-0d51-4c8e-9b0a-5a3e1d7c0003")
TANGER_NETWORK_ID = UUID("6f1c2a4e-0d51-4c8e-9b0a-5a3e1d7c0101")
ORIENTAL_NETWORK_ID = UUID("6f1c2a4e-0d51-4c8e-9b0a-5a3e1d7c0102")
ADMIN = Access(Principal(subject="demo", kind="user", role=Role.ADMIN))


@dataclass
class DemoRecords:
    """What the demo created, for the hooks: partners, networks and groups by key, and who
    belonged to each network and group from when."""

    sizes: Sizes
    advance: Advance
    partners: dict[str, Partner] = field(default_factory=dict)
    networks: dict[str, Network] = field(default_factory=dict)
    groups: dict[str, WorkingGroup] = field(default_factory=dict)
    members: dict[str, list[tuple[Partner, date]]] = field(default_factory=dict)
    group_members: dict[str, list[tuple[Partner, date]]] = field(default_factory=dict)
    group_network: dict[str, str] = field(default_factory=dict)


Hook = Callable[[AsyncSession, DemoRecords], Awaitable[None]]
# Demo records of other domains, loaded after these (in the same transaction).
HOOKS: list[Hook] = [seed_history, seed_activity]

PARTNERS: dict[str, dict[str, Any]] = {
    "demo": {
        "name": "Confections du Détroit SARL",
        "kind": "company",
        "sectors": ["textile"],
        "regions": ["01"],
        "size_band": "medium",
        "email": "rh@confections-detroit.example.ma",
        "phone": "+212 539 30 00 00",
    },
    "region_01": {
        "name": "Conseil de la Région Tanger-Tétouan-Al Hoceïma",
        "kind": "public_body",
        "regions": ["01"],
        "website": "https://www.region-tanger.example.ma",
    },
    "chamber_01": {
        "name": "Chambre de Commerce, d'Industrie et de Services de Tanger-Tétouan-Al Hoceïma",
        "kind": "chamber",
        "sectors": ["commerce", "textile", "logistics"],
        "regions": ["01"],
    },
    "ista_01": {
        "name": "Institut Spécialisé de Technologie Appliquée de Tétouan",
        "kind": "training_institution",
        "sectors": ["textile", "renewable_energy"],
        "regions": ["01"],
    },
    "association_01": {
        "name": "Association Tanmia Chamal",
        "kind": "association",
        "regions": ["01"],
        "size_band": "small",
    },
    "ilo": {
        "name": "Organisation internationale du Travail, bureau de pays",
        "kind": "international_organisation",
        "regions": ["01", "02"],
    },
    "region_02": {
        "name": "Conseil de la Région de l'Oriental",
        "kind": "public_body",
        "regions": ["02"],
    },
    "hotel_02": {
        "name": "Hôtel Méditerranée Saïdia",
        "kind": "company",
        "sectors": ["tourism", "hospitality_catering"],
        "regions": ["02"],
        "size_band": "large",
    },
    "cooperative_02": {
        "name": "Coopérative artisanale de Figuig",
        "kind": "cooperative",
        "sectors": ["crafts"],
        "regions": ["02"],
        "size_band": "micro",
    },
    "solar_02": {
        "name": "Oriental Solaire SA",
        "kind": "company",
        "sectors": ["renewable_energy"],
        "regions": ["02"],
        "size_band": "small",
    },
}

NETWORKS: dict[str, tuple[UUID, dict[str, Any]]] = {
    "tanger": (
        TANGER_NETWORK_ID,
        {
            "region": "01",
            "name": "Réseau régional emploi-formation de Tanger-Tétouan-Al Hoceïma",
            "description": "Groupe de travail rattaché au Conseil de la Région.",
            "model_id": PUBLIC_MANDATE_MODEL_ID,
            "founding_date": date(2017, 7, 12),
        },
    ),
    "oriental": (
        ORIENTAL_NETWORK_ID,
        {
            "region": "02",
            "name": "Réseau partenarial de l'Oriental",
            "description": "Groupe autonome sous charte, présidence tournante.",
            "model_id": CHARTER_MODEL_ID,
            "founding_date": date(2017, 7, 26),
        },
    ),
}

GROUPS: dict[str, tuple[str, dict[str, Any]]] = {
    "textile": (
        "tanger",
        {
            "name": "Groupe textile et habillement",
            "sector": "textile",
            "theme": "Stages et embauches dans la confection",
            "chair": "demo",
            "meeting_rhythm": "premier mardi du mois",
        },
    ),
    "tourism": (
        "oriental",
        {
            "name": "Groupe tourisme et artisanat",
            "sector": "tourism",
            "theme": "Saison estivale de Saïdia",
            "chair": "hotel_02",
            "meeting_rhythm": "tous les deux mois",
        },
    ),
}

# (partner, network, working group or None, role)
MEMBERSHIPS: list[tuple[str, str, str | None, str]] = [
    ("region_01", "tanger", None, "chair"),
    ("demo", "tanger", None, "member"),
    ("chamber_01", "tanger", None, "member"),
    ("ista_01", "tanger", None, "member"),
    ("association_01", "tanger", None, "member"),
    ("ilo", "tanger", None, "observer"),
    ("demo", "tanger", "textile", "chair"),
    ("ista_01", "tanger", "textile", "member"),
    ("region_02", "oriental", None, "chair"),
    ("hotel_02", "oriental", None, "member"),
    ("cooperative_02", "oriental", None, "member"),
    ("solar_02", "oriental", None, "member"),
    ("ilo", "oriental", None, "observer"),
    ("hotel_02", "oriental", "tourism", "chair"),
    ("cooperative_02", "oriental", "tourism", "member"),
]

NEEDS: list[tuple[str, dict[str, Any]]] = [
    (
        "demo",
        {
            "region": "01",
            "province": "01.511",
            "sector": "textile",
            "isco_group": "7",
            "positions": 25,
            "horizon": "2027-Q1",
            "contract_type": "fixed_term",
            "skills": ["piqûre industrielle", "contrôle qualité"],
        },
    ),
    (
        "demo",
        {
            "region": "01",
            "province": "01.511",
            "sector": "textile",
            "isco_group": "3",
            "positions": 3,
            "horizon": "2027",
            "contract_type": "permanent",
            "skills": ["méthodes", "ordonnancement"],
        },
    ),
    (
        "hotel_02",
        {
            "region": "02",
            "province": "02.113",
            "sector": "hospitality_catering",
            "isco_group": "5",
            "positions": 40,
            "horizon": "2027-Q2",
            "contract_type": "seasonal",
            "skills": ["service en salle", "accueil"],
        },
    ),
    (
        "solar_02",
        {
            "region": "02",
            "province": "02.411",
            "sector": "renewable_energy",
            "isco_group": "7",
            "positions": 8,
            "horizon": "2027",
            "contract_type": "apprenticeship",
            "skills": ["pose de panneaux photovoltaïques"],
        },
    ),
]


# --- The generator: partners until the scale's count, a network per region, groups by sector.

# Kinds of the generated partners, and how many in a hundred.
_KIND_WEIGHTS = {
    "company": 42,
    "training_institution": 16,
    "association": 16,
    "public_body": 10,
    "cooperative": 10,
    "chamber": 6,
}
# The partners' sectors: those of the training offer, and two that employ many of its trainees.
_SECTORS = (*DEMO_SECTORS, Sector.LOGISTICS, Sector.HOSPITALITY_CATERING)
_BRANDS = (
    "Atlas", "Rif", "Chamal", "Andalous", "Nour", "Al Baraka", "Zitoune", "Badr", "Amal",
    "Assafa", "Tamount", "Al Fajr", "Ifriquia", "Yasmine", "Al Wifaq", "Tafraout", "Massira",
)  # fmt: skip
_COMPANIES: dict[Sector, tuple[str, ...]] = {
    Sector.TOURISM: ("Hôtel {brand} {town}", "Riad {brand}", "{brand} Voyages et Loisirs"),
    Sector.RENEWABLE_ENERGY: ("{brand} Solaire SARL", "{brand} Énergies Vertes SA"),
    Sector.CRAFTS: ("Ateliers {brand} de l'artisanat", "{brand} Art et Tradition SARL"),
    Sector.TEXTILE: ("Confection {brand} {town} SARL", "{brand} Textiles SA"),
    Sector.AGRICULTURE_AGRIFOOD: ("Domaine agricole {brand}", "{brand} Agro-industrie SA"),
    Sector.CONSTRUCTION: ("{brand} Bâtiment et Travaux SARL", "Entreprise {brand} BTP"),
    Sector.AUTOMOTIVE_AERONAUTICS: ("{brand} Câblage Automobile SA", "{brand} Aéro Précision"),
    Sector.OFFSHORING_DIGITAL: ("{brand} Digital Services SARL", "Centre d'appels {brand}"),
    Sector.LOGISTICS: ("{brand} Transport et Logistique SARL", "{brand} Logistique SA"),
    Sector.HOSPITALITY_CATERING: ("Restaurant {brand} {town}", "{brand} Traiteur SARL"),
}
_OTHERS: dict[str, tuple[str, ...]] = {
    "training_institution": (
        "Institut Spécialisé de Technologie Appliquée de {town}",
        "Centre de Formation Professionnelle {brand} de {town}",
        "Institut de Formation aux Métiers de {town}",
        "Centre de Qualification Professionnelle de {town}",
    ),
    "association": (
        "Association {brand} pour le développement de {town}",
        "Association des jeunes entrepreneurs de {town}",
        "Fondation {brand} pour l'insertion des jeunes",
        "Association féminine {brand} de {town}",
    ),
    "public_body": (
        "ANAPEC, agence de {town}",
        "Direction provinciale de l'Agriculture de {town}",
        "Délégation provinciale de l'Artisanat de {town}",
        "Commune de {town}",
        "Centre Régional d'Investissement, antenne de {town}",
    ),
    "cooperative": (
        "Coopérative féminine {brand} de {town}",
        "Coopérative agricole {brand}",
        "Coopérative artisanale {brand} de {town}",
    ),
    "chamber": (
        "Chambre d'Artisanat, annexe de {town}",
        "Chambre d'Agriculture, antenne de {town}",
        "Chambre de Commerce, d'Industrie et de Services, annexe de {town}",
    ),
}
_GROUP_THEMES: dict[Sector, str] = {
    Sector.TOURISM: "Saisonnalité et qualification des emplois du tourisme",
    Sector.RENEWABLE_ENERGY: "Techniciens pour les parcs solaires et éoliens",
    Sector.CRAFTS: "Commercialisation et transmission des savoir-faire",
    Sector.TEXTILE: "Stages et embauches dans la confection",
    Sector.AGRICULTURE_AGRIFOOD: "Emplois agricoles et valorisation des produits du terroir",
    Sector.CONSTRUCTION: "Qualification des ouvriers du bâtiment",
    Sector.AUTOMOTIVE_AERONAUTICS: "Recrutements des zones industrielles",
    Sector.OFFSHORING_DIGITAL: "Compétences numériques des jeunes",
}
GROUPS_PER_NETWORK = 4


@dataclass(frozen=True)
class PlannedPartner:
    key: str
    values: dict[str, Any]
    region: str
    province: str  # where its labour needs are (see ``province_of``)


def province_of(region: str, n: int) -> str:
    """A province of ``region``: one of the reference data's (the pilot's), elsewhere the code
    of the ``n``-th of the region's towns (the reference data has no provinces there yet)."""
    known = [p.code for p in provinces() if p.region_code == region]
    if known:
        return known[n % len(known)]
    return f"{region}.{1 + n % len(REGION_TOWNS[region]):03d}"  # as ``town(region, _, n)``


def planned_partners(sizes: Sizes) -> Iterator[PlannedPartner]:
    """The generated partners (after the hand-written ones, up to ``sizes.partners``), spread
    evenly over the regions."""
    kinds = [kind for kind, weight in _KIND_WEIGHTS.items() for _ in range(weight)]
    for n in range(max(0, sizes.partners - len(PARTNERS))):
        key = f"demo-partner-{n:05d}"
        draw = rng("network", "partner", key)
        region = sizes.regions[n % len(sizes.regions)]
        place = draw.randrange(100)
        province = province_of(region, place)
        commune = town(region, province, place)
        kind = draw.choice(kinds)
        sectors = draw.sample(_SECTORS, k=1 + (draw.random() < 0.3))
        brand = draw.choice(_BRANDS)
        names = _COMPANIES[sectors[0]] if kind == "company" else _OTHERS[kind]
        name = draw.choice(names).format(brand=brand, town=commune)
        domain = web_domain(name)
        values: dict[str, Any] = {
            "name": name,
            "kind": kind,
            "sectors": [sector.value for sector in sectors] if kind != "public_body" else [],
            "regions": [region],
            "email": f"contact@{domain}",
            "phone": phone(draw),
        }
        if kind in ("company", "cooperative"):
            values["size_band"] = draw.choice(
                ("micro", "small", "small", "medium") if kind == "company" else ("micro", "small")
            )
        if draw.random() < 0.4:
            values["website"] = f"https://{domain}"
        yield PlannedPartner(key, values, region, province)


def network_values(region: str) -> tuple[UUID, dict[str, Any]]:
    """The network of a region outside the pilot; the models alternate from region to region."""
    name = next(r.name_fr for r in regions() if r.code == region)
    charter = int(region) % 2 == 0
    draw = rng("network", "network", region)
    return demo_id("network", region), {
        "region": region,
        "name": f"Réseau régional emploi-formation {name}",
        "description": "Groupe autonome sous charte, présidence tournante."
        if charter
        else "Groupe de travail rattaché au Conseil de la Région.",
        "model_id": CHARTER_MODEL_ID if charter else PUBLIC_MANDATE_MODEL_ID,
        "founding_date": PILOT_START + timedelta(days=draw.randrange(30, 120)),
    }


def _joined(network: Network, draw: Random) -> date:
    """When a generated partner joined: within two years of the network's founding."""
    founded = network.founding_date or PILOT_START
    return founded + timedelta(days=draw.randrange(730))


async def _hand_written(db: AsyncSession, records: DemoRecords) -> None:
    for key, values in PARTNERS.items():
        fixed = DEMO_PARTNER_ID if key == "demo" else demo_id("partner", key)
        partner_data = PartnerCreate.model_validate(values)
        records.partners[key] = await partners_service.create(
            db, ADMIN, partner_data, partner_id=fixed
        )
    for key, (network_id, values) in NETWORKS.items():
        records.networks[key] = await networks_service.create_network(
            db, ADMIN, NetworkCreate.model_validate(values), network_id=network_id
        )
    for key, (network, group_values) in GROUPS.items():
        values = dict(group_values)
        chair = records.partners[values.pop("chair")]
        group_data = WorkingGroupCreate.model_validate(
            {**values, "network_id": records.networks[network].id, "chair_partner_id": chair.id}
        )
        records.groups[key] = await networks_service.create_group(
            db, ADMIN, group_data, group_id=demo_id("group", key)
        )
        records.group_network[key] = network
    for partner, network, group, role in MEMBERSHIPS:
        since = records.networks[network].founding_date or PILOT_START
        await _join(db, records, records.partners[partner], network, group, role, since)
    for partner, values in NEEDS:
        need = LabourNeedCreate.model_validate(
            {**values, "partner_id": records.partners[partner].id}
        )
        await needs_service.create(db, ADMIN, need)
    records.advance(len(PARTNERS))


async def _join(
    db: AsyncSession,
    records: DemoRecords,
    partner: Partner,
    network: str,
    group: str | None,
    role: str,
    since: date,
) -> None:
    membership = MembershipCreate(partner_id=partner.id, role=MembershipRole(role), since=since)
    await memberships_service.create(
        db,
        ADMIN,
        membership,
        network_id=records.networks[network].id if group is None else None,
        group_id=records.groups[group].id if group is not None else None,
    )
    if group is None:
        records.members.setdefault(network, []).append((partner, since))
    else:
        records.group_members.setdefault(group, []).append((partner, since))


def _network_key(region: str) -> str:
    """The key of a region's network in ``DemoRecords.networks``."""
    return next((key for key, (_, v) in NETWORKS.items() if v["region"] == region), region)


async def _networks(db: AsyncSession, records: DemoRecords) -> None:
    """A network per region (the first ``sizes.networks`` regions), each with working groups
    by sector."""
    for region in records.sizes.regions[: records.sizes.networks]:
        key = _network_key(region)
        if key not in records.networks:
            network_id, values = network_values(region)
            records.networks[key] = await networks_service.create_network(
                db, ADMIN, NetworkCreate.model_validate(values), network_id=network_id
            )
        taken = {records.groups[g].sector for g, n in records.group_network.items() if n == key}
        draw = rng("network", "groups", region)
        free = [sector for sector in _GROUP_THEMES if sector not in taken]
        for sector in draw.sample(free, k=GROUPS_PER_NETWORK - len(taken)):
            group_key = f"{region}-{sector.value}"
            data = WorkingGroupCreate(
                network_id=records.networks[key].id,
                name=f"Groupe {SECTOR_GROUP_NAMES[sector]}",
                theme=_GROUP_THEMES[sector],
                sector=sector,
                meeting_rhythm=draw.choice(
                    ("premier mardi du mois", "tous les deux mois", "chaque trimestre")
                ),
            )
            records.groups[group_key] = await networks_service.create_group(
                db, ADMIN, data, group_id=demo_id("group", group_key)
            )
            records.group_network[group_key] = key


SECTOR_GROUP_NAMES: dict[Sector, str] = {
    Sector.TOURISM: "tourisme",
    Sector.RENEWABLE_ENERGY: "énergies renouvelables",
    Sector.CRAFTS: "artisanat",
    Sector.TEXTILE: "textile et habillement",
    Sector.AGRICULTURE_AGRIFOOD: "agriculture et agroalimentaire",
    Sector.CONSTRUCTION: "bâtiment et travaux publics",
    Sector.AUTOMOTIVE_AERONAUTICS: "automobile et aéronautique",
    Sector.OFFSHORING_DIGITAL: "numérique et offshoring",
}


async def _partners(db: AsyncSession, records: DemoRecords) -> None:
    """The generated partners, their memberships (of their region's network, and of its group
    of their sector) and the labour needs the employers among them declared."""
    groups_by_sector = {
        (records.group_network[key], group.sector): key for key, group in records.groups.items()
    }
    for planned in planned_partners(records.sizes):
        draw = rng("network", "joins", planned.key)
        partner = await partners_service.create(
            db,
            ADMIN,
            PartnerCreate.model_validate(planned.values),
            partner_id=demo_id("partner", planned.key),
        )
        records.partners[planned.key] = partner
        network = _network_key(planned.region)
        if network in records.networks and draw.random() < 0.9:
            since = _joined(records.networks[network], draw)
            role = "observer" if planned.values["kind"] == "public_body" else "member"
            await _join(db, records, partner, network, None, role, since)
            for sector in planned.values["sectors"]:
                group = groups_by_sector.get((network, sector))
                if group is not None:
                    later = since + timedelta(days=draw.randrange(180))
                    await _join(db, records, partner, network, group, "member", later)
        for need in _needs(planned, draw):
            await needs_service.create(
                db, ADMIN, LabourNeedCreate.model_validate({**need, "partner_id": partner.id})
            )
        records.advance(1)


_SKILLS: dict[str, tuple[str, ...]] = {
    "tourism": ("accueil", "langues étrangères", "animation"),
    "renewable_energy": ("électricité", "travail en hauteur", "pose de panneaux"),
    "crafts": ("finitions", "vente", "savoir-faire traditionnel"),
    "textile": ("piqûre industrielle", "contrôle qualité", "coupe"),
    "agriculture_agrifood": ("taille", "irrigation", "hygiène alimentaire"),
    "construction": ("lecture de plans", "maçonnerie", "sécurité sur chantier"),
    "automotive_aeronautics": ("câblage", "lecture de plans", "contrôle qualité"),
    "offshoring_digital": ("relation client", "français écrit", "bureautique"),
    "logistics": ("conduite de chariot", "gestion de stock"),
    "hospitality_catering": ("service en salle", "cuisine", "hygiène alimentaire"),
}
_ISCO: dict[str, tuple[str, ...]] = {
    "tourism": ("4", "5"),
    "hospitality_catering": ("5", "9"),
    "offshoring_digital": ("4", "3", "2"),
    "agriculture_agrifood": ("6", "8", "9"),
    "logistics": ("8", "9", "4"),
}


def _needs(planned: PlannedPartner, draw: Random) -> Iterator[dict[str, Any]]:
    """The labour needs an employer declared: in most years of the pilot, for each of its
    sectors, a need of a few to a hundred positions (now filled or withdrawn), so that a
    region's demand per sector is of the order of its training output and the adequacy review
    finds shortages, balance and surpluses; and for some employers a need still open today."""
    if planned.values["kind"] not in ("company", "cooperative"):
        return
    wanted = [
        (year, sector, False)
        for year in range(PILOT_START.year, PILOT_END.year + 1)
        for sector in planned.values["sectors"]
        if draw.random() < 0.7
    ]
    if draw.random() < 0.3:
        wanted.append((draw.choice((2026, 2027)), draw.choice(planned.values["sectors"]), True))
    for year, sector, current in wanted:
        horizon = f"{year}-Q{draw.randrange(1, 5)}" if draw.random() < 0.5 else str(year)
        if current:
            status = "open"
        else:
            status = "filled" if draw.random() < 0.75 else "withdrawn"
        skills = _SKILLS[sector]
        yield {
            "region": planned.region,
            "province": planned.province,
            "sector": sector,
            "isco_group": draw.choice(_ISCO.get(sector, ("7", "8"))),
            "positions": draw.choice((5, 8, 10, 15, 20, 30, 40, 60, 80, 120)),
            "horizon": horizon,
            "contract_type": draw.choice(
                ("permanent", "fixed_term", "fixed_term", "seasonal", "apprenticeship")
            ),
            "skills": sorted(draw.sample(skills, k=min(2, len(skills)))),
            "status": status,
        }


async def _load(db: AsyncSession, sizes: Sizes, advance: Advance) -> DemoRecords:
    records = DemoRecords(sizes, advance)
    await _hand_written(db, records)
    await _networks(db, records)
    await _partners(db, records)
    for hook in HOOKS:
        await hook(db, records)
    return records


async def seed(
    database_url: str, scale: Scale = Scale.PILOT, *, sizes: Sizes | None = None
) -> None:
    """Load the demo records at ``scale`` (or ``sizes``); a second run changes nothing."""
    sizes = sizes or SIZES[scale]
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as db:
            if await partners_service.get(db, DEMO_PARTNER_ID) is not None:
                return
            total = sizes.partners + sizes.events
            with progress("network demo", total=total, unit="partners and events") as advance:
                await _load(db, sizes, advance)
            await db.commit()
    finally:
        await engine.dispose()
