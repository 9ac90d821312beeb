"""Demo data for ``make run``: a handful of providers, offers and sessions in the two pilot
regions. Loaded through the bulk import (source ``demo``), so loading it again changes nothing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from offers.exchange.formats import FileFormat
from offers.exchange.pipeline import Importer, rows_of
from offers.exchange.schemas import ImportMode, ImportReport
from offers.providers import service as providers_service
from offers.providers.models import Provider
from offers.vocabulary import PublicationStatus
from shared.db import create_engine, create_sessionmaker, utcnow
from shared.demo import Scale
from shared.principal import Principal, Role

SOURCE = "demo"
# The provider the gateway's demo account provider@demo.kafaat.ma works for (gateway/demo.py):
# the first provider below is created with this id so that account can edit its offers.
DEMO_PROVIDER_ID = UUID("6f1c2a4e-0d51-4c8e-9b0a-5a3e1d7c0002")
DEMO_PROVIDER_EXTERNAL_ID = "ista-tetouan"


def _provider(external_id: str, **fields: Any) -> dict[str, Any]:
    return {"record": "provider", "external_id": external_id, "status": "published", **fields}


def _offer(external_id: str, provider: str, **fields: Any) -> dict[str, Any]:
    return {
        "record": "offer",
        "external_id": external_id,
        "provider_external_id": provider,
        "status": "published",
        **fields,
    }


def _session(external_id: str, offer: str, **fields: Any) -> dict[str, Any]:
    return {"record": "session", "external_id": external_id, "offer_external_id": offer, **fields}


PROVIDERS = [
    _provider(
        DEMO_PROVIDER_EXTERNAL_ID,
        name="Institut Spécialisé de Technologie Appliquée de Tétouan",
        kind="public_institute",
        region="01",
        province="01.571",
        commune="Tétouan",
        address="Route de Martil, Tétouan",
        latitude=35.5785,
        longitude=-5.3684,
        phone="+212 539 96 00 00",
        email="ista.tetouan@example.ma",
        accreditation="Établissement public de formation professionnelle",
    ),
    _provider(
        "ifht-tanger",
        name="Institut de Formation Hôtelière et Touristique de Tanger",
        kind="public_institute",
        region="01",
        province="01.511",
        commune="Tanger",
        phone="+212 539 94 00 00",
        website="https://ifht-tanger.example.ma",
    ),
    _provider(
        "femmes-artisanes-rif",
        name="Association Femmes Artisanes du Rif",
        kind="association",
        region="01",
        province="01.051",
        commune="Al Hoceïma",
        email="contact@artisanes-rif.example.ma",
    ),
    _provider(
        "nador-numerique",
        name="École Nador Numérique",
        kind="private_school",
        region="02",
        province="02.381",
        commune="Nador",
        phone="+212 536 60 00 00",
        email="admissions@nador-numerique.example.ma",
        website="https://nador-numerique.example.ma",
    ),
    _provider(
        "chambre-artisanat-oriental",
        name="Chambre d'Artisanat de la Région de l'Oriental",
        kind="chamber",
        region="02",
        province="02.411",
        commune="Oujda",
        phone="+212 536 68 00 00",
    ),
    _provider(
        "solaire-oriental",
        name="Solaire Oriental SARL",
        kind="company",
        region="02",
        province="02.113",
        commune="Berkane",
        email="formation@solaire-oriental.example.ma",
    ),
]

_LONG = (
    " La formation alterne cours théoriques, travaux pratiques en atelier et un stage en "
    "entreprise; les apprenants sont accompagnés vers l'emploi à la fin du parcours."
)

OFFERS = [
    _offer(
        "electricite-batiment",
        "ista-tetouan",
        title_fr="Électricité du bâtiment",
        title_ar="كهرباء البناء",
        description="Installer, raccorder et entretenir les installations électriques des "
        "logements et des locaux professionnels, dans le respect des normes." + _LONG,
        objectives="Lire un schéma électrique, poser des circuits conformes, diagnostiquer "
        "et réparer une panne en sécurité.",
        sector="construction",
        isced_field="07",
        isco_groups=["7"],
        entry_level="lower_secondary",
        certification_level="qualification",
        certification_name="Diplôme de qualification en électricité du bâtiment",
        mode="work_based",
        duration_hours=900,
        languages=["ar", "fr"],
        cost_mad=0,
        target_publics=["neet_youth", "women"],
    ),
    _offer(
        "photovoltaique",
        "solaire-oriental",
        title_fr="Installation de panneaux photovoltaïques",
        title_ar="تركيب الألواح الشمسية",
        description="Dimensionner, poser et mettre en service une installation solaire "
        "photovoltaïque raccordée au réseau ou autonome, en milieu urbain et rural." + _LONG,
        objectives="Dimensionner un champ solaire, poser les modules et l'onduleur, contrôler "
        "une installation et conseiller le client.",
        sector="renewable_energy",
        isced_field="07",
        isco_groups=["7", "3"],
        entry_level="upper_secondary",
        certification_level="specialisation",
        mode="blended",
        duration_hours=240,
        languages=["ar", "fr"],
        cost_mad=1500,
        target_publics=["all"],
    ),
    _offer(
        "cuisine-marocaine",
        "ifht-tanger",
        title_fr="Cuisine marocaine et service en salle",
        title_ar="الطبخ المغربي وخدمة القاعة",
        description="Préparer les plats de la cuisine marocaine traditionnelle et assurer le "
        "service en salle dans un restaurant ou un hôtel." + _LONG,
        objectives="Maîtriser les préparations de base, l'hygiène alimentaire et l'accueil "
        "des clients en français et en anglais.",
        sector="hospitality_catering",
        isced_field="10",
        isco_groups=["5"],
        entry_level="primary",
        certification_level="qualification",
        mode="in_person",
        duration_hours=600,
        languages=["ar", "fr", "en"],
        cost_mad=0,
        target_publics=["neet_youth"],
    ),
    _offer(
        "guide-tourisme-rural",
        "ifht-tanger",
        title_fr="Guide de tourisme rural et de montagne",
        description="Concevoir et accompagner des circuits de découverte dans le Rif et ses "
        "villages, en valorisant le patrimoine local.",
        sector="tourism",
        isced_field="10",
        isco_groups=["5"],
        mode="in_person",
        duration_hours=300,
        languages=["ar", "fr", "es"],
        cost_mad=0,
        target_publics=["rural", "neet_youth"],
    ),
    _offer(
        "tissage-broderie",
        "femmes-artisanes-rif",
        title_fr="Tissage et broderie traditionnels",
        title_ar="النسيج والطرز التقليدي",
        description="Apprendre les techniques de tissage et de broderie du Rif et vendre ses "
        "créations en coopérative." + _LONG,
        objectives="Réaliser des pièces tissées et brodées de qualité, fixer un prix, vendre "
        "en coopérative et en ligne.",
        sector="crafts",
        isced_field="02",
        isco_groups=["7"],
        entry_level="none",
        certification_level="attendance",
        mode="in_person",
        duration_hours=200,
        languages=["ar", "zgh"],
        cost_mad=0,
        target_publics=["women", "rural"],
    ),
    _offer(
        "developpement-web",
        "nador-numerique",
        title_fr="Développement web et mobile",
        title_ar="تطوير الويب والهاتف المحمول",
        description="Concevoir des sites et des applications mobiles, de la maquette à la mise "
        "en ligne, en équipe et en méthode agile." + _LONG,
        objectives="Programmer en JavaScript et Python, construire une API, publier une "
        "application et travailler avec Git.",
        sector="offshoring_digital",
        isced_field="06",
        isco_groups=["2", "3"],
        entry_level="baccalaureate",
        certification_level="specialised_technician",
        mode="blended",
        duration_hours=1200,
        languages=["fr", "en"],
        cost_mad=12000,
        target_publics=["all"],
    ),
    _offer(
        "centre-appels",
        "nador-numerique",
        title_fr="Conseiller client en centre d'appels",
        description="Accueillir, informer et conseiller les clients au téléphone et par écrit.",
        sector="offshoring_digital",
        isced_field="04",
        isco_groups=["4"],
        mode="in_person",
        duration_hours=160,
        languages=["fr", "es"],
        cost_mad=0,
        target_publics=["neet_youth", "long_term_unemployed"],
    ),
    _offer(
        "maroquinerie",
        "chambre-artisanat-oriental",
        title_fr="Maroquinerie artisanale",
        title_ar="صناعة الجلد التقليدية",
        description="Couper, assembler et finir des articles en cuir: sacs, ceintures, "
        "babouches, selon les savoir-faire de l'Oriental." + _LONG,
        objectives="Choisir et préparer le cuir, réaliser un article complet et le "
        "commercialiser dans les circuits de l'artisanat.",
        sector="crafts",
        isced_field="07",
        isco_groups=["7"],
        entry_level="none",
        certification_level="attendance",
        mode="work_based",
        duration_hours=400,
        languages=["ar"],
        cost_mad=0,
        target_publics=["people_with_disabilities", "women"],
    ),
]


def _open(external_id: str, offer: str, start: str, end: str, **fields: Any) -> dict[str, Any]:
    return _session(external_id, offer, start_date=start, end_date=end, status="open", **fields)


SESSIONS = [
    _open(
        "electricite-2027-1",
        "electricite-batiment",
        "2027-02-01",
        "2027-11-30",
        registration_deadline="2027-01-20",
        schedule="Lun–Ven 8h30–12h30, entreprise l'après-midi",
        region="01",
        province="01.571",
        commune="Tétouan",
        seats_total=24,
    ),
    _session(
        "electricite-2026-1",
        "electricite-batiment",
        start_date="2026-01-05",
        end_date="2026-10-30",
        region="01",
        province="01.571",
        commune="Tétouan",
        seats_total=24,
        status="completed",
        enrolled=22,
        completed=19,
        certified=17,
    ),
    _open(
        "photovoltaique-2027-1",
        "photovoltaique",
        "2027-03-08",
        "2027-05-28",
        registration_deadline="2027-02-26",
        region="02",
        province="02.113",
        commune="Berkane",
        seats_total=12,
    ),
    _session(
        "photovoltaique-2027-2",
        "photovoltaique",
        start_date="2027-09-13",
        end_date="2027-12-03",
        region="02",
        province="02.411",
        commune="Oujda",
        seats_total=12,
        status="planned",
    ),
    _open(
        "cuisine-2027-1",
        "cuisine-marocaine",
        "2027-01-11",
        "2027-07-09",
        registration_deadline="2027-01-04",
        region="01",
        province="01.511",
        commune="Tanger",
        seats_total=30,
    ),
    _open(
        "guide-2027-1",
        "guide-tourisme-rural",
        "2027-04-05",
        "2027-06-25",
        region="01",
        province="01.151",
        commune="Chefchaouen",
        seats_total=15,
    ),
    _open(
        "tissage-2027-1",
        "tissage-broderie",
        "2027-01-18",
        "2027-04-30",
        schedule="Mar, Jeu 14h–18h",
        region="01",
        province="01.051",
        commune="Al Hoceïma",
        seats_total=18,
    ),
    _open(
        "web-2027-1",
        "developpement-web",
        "2027-09-20",
        "2028-06-30",
        registration_deadline="2027-07-15",
        region="02",
        province="02.381",
        commune="Nador",
        seats_total=25,
    ),
    _open(
        "appels-2027-1",
        "centre-appels",
        "2027-02-15",
        "2027-03-26",
        region="02",
        province="02.381",
        commune="Nador",
        seats_total=20,
    ),
    _session(
        "appels-2026-1",
        "centre-appels",
        start_date="2026-03-02",
        end_date="2026-04-10",
        region="02",
        province="02.381",
        commune="Nador",
        seats_total=20,
        status="completed",
        enrolled=20,
        completed=18,
        certified=18,
    ),
    _open(
        "maroquinerie-2027-1",
        "maroquinerie",
        "2027-02-01",
        "2027-07-30",
        region="02",
        province="02.411",
        commune="Oujda",
        seats_total=10,
    ),
]


async def _lines() -> AsyncIterator[bytes]:
    for row in [*PROVIDERS, *OFFERS, *SESSIONS]:
        yield (json.dumps(row, ensure_ascii=False) + "\n").encode()


async def _reserve_demo_provider_id(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """Create the demo account's provider under its fixed id (the import, which gives new records
    new ids, then fills it in)."""
    async with sessionmaker() as db:
        if await providers_service.get(db, DEMO_PROVIDER_ID) is None:
            values = {"name": "Institut (démo)", "kind": "public_institute", "region": "01"}
            row = providers_service.new_row(
                values,
                provider_id=DEMO_PROVIDER_ID,
                source=SOURCE,
                external_id=DEMO_PROVIDER_EXTERNAL_ID,
                status=PublicationStatus.DRAFT.value,
                now=utcnow(),
            )
            db.add(Provider(**row))
            await db.commit()


async def load(database_url: str) -> ImportReport:
    engine = create_engine(database_url)
    try:
        sessionmaker = create_sessionmaker(engine)
        await _reserve_demo_provider_id(sessionmaker)
        importer = Importer(
            sessionmaker,
            Principal(subject="demo", kind="user", role=Role.ADMIN),
            mode=ImportMode.ALL_OR_NOTHING,
            default_source=SOURCE,
        )
        return await importer.run(rows_of(FileFormat.JSONL, _lines()))
    finally:
        await engine.dispose()


async def seed(database_url: str, scale: Scale = Scale.PILOT) -> None:
    """Load the demo records; safe to run again (nothing changes the second time)."""
    report = await load(database_url)
    if report.error_count:
        raise RuntimeError(f"the demo data does not import: {report.errors}")
