"""Demo data for ``make run``: the two pilot networks — Tanger-Tétouan-Al Hoceïma (region 01)
under the public-mandate model, L'Oriental (region 02) under the charter model — their partners
(the gateway's demo partner among them), working groups, memberships and labour needs.

Written through the domain services as an admin, in one transaction; loading it again changes
nothing (the demo partner's presence says it is loaded). Other domains add their own demo records
(upcoming events…) by appending a hook to ``HOOKS``: each gets the session and the records below.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from network.access import Access
from network.activity_demo import seed_activity
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
from shared.demo import Scale
from shared.principal import Principal, Role

# The partner the gateway's demo account partner@demo.kafaat.ma belongs to (gateway/demo.py).
DEMO_PARTNER_ID = UUID("6f1c2a4e-0d51-4c8e-9b0a-5a3e1d7c0003")
TANGER_NETWORK_ID = UUID("6f1c2a4e-0d51-4c8e-9b0a-5a3e1d7c0101")
ORIENTAL_NETWORK_ID = UUID("6f1c2a4e-0d51-4c8e-9b0a-5a3e1d7c0102")
ADMIN = Access(Principal(subject="demo", kind="user", role=Role.ADMIN))


@dataclass
class DemoRecords:
    """What the demo created, for the hooks: partners by short name, networks, groups."""

    partners: dict[str, Partner] = field(default_factory=dict)
    networks: dict[str, Network] = field(default_factory=dict)
    groups: dict[str, WorkingGroup] = field(default_factory=dict)


Hook = Callable[[AsyncSession, DemoRecords], Awaitable[None]]
# Demo records of other domains, loaded after these (in the same transaction).
HOOKS: list[Hook] = [seed_activity]

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
            "founding_date": date(2025, 3, 12),
        },
    ),
    "oriental": (
        ORIENTAL_NETWORK_ID,
        {
            "region": "02",
            "name": "Réseau partenarial de l'Oriental",
            "description": "Groupe autonome sous charte, présidence tournante.",
            "model_id": CHARTER_MODEL_ID,
            "founding_date": date(2025, 4, 2),
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


async def _load(db: AsyncSession) -> DemoRecords:
    records = DemoRecords()
    for key, values in PARTNERS.items():
        fixed = DEMO_PARTNER_ID if key == "demo" else None
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
        chair = records.partners[values.pop("chair")] if "chair" in values else None
        group_data = WorkingGroupCreate.model_validate(
            {
                **values,
                "network_id": records.networks[network].id,
                "chair_partner_id": chair.id if chair else None,
            }
        )
        records.groups[key] = await networks_service.create_group(db, ADMIN, group_data)
    for partner, network, group, role in MEMBERSHIPS:
        membership = MembershipCreate(
            partner_id=records.partners[partner].id,
            role=MembershipRole(role),
            since=date(2025, 4, 15),
        )
        await memberships_service.create(
            db,
            ADMIN,
            membership,
            network_id=records.networks[network].id if group is None else None,
            group_id=records.groups[group].id if group is not None else None,
        )
    for partner, values in NEEDS:
        need = LabourNeedCreate.model_validate(
            {**values, "partner_id": records.partners[partner].id}
        )
        await needs_service.create(db, ADMIN, need)
    for hook in HOOKS:
        await hook(db, records)
    return records


async def seed(database_url: str, scale: Scale = Scale.PILOT) -> None:
    """Load the demo records; safe to run again (nothing changes the second time)."""
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as db:
            if await partners_service.get(db, DEMO_PARTNER_ID) is not None:
                return
            await _load(db)
            await db.commit()
    finally:
        await engine.dispose()
