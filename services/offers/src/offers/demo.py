"""Demo data: the training offer of ``shared.demo.catalogue`` — providers named by kind and town,
offers of real vocational trades in French and (most) in Arabic, sessions of the pilot years
finished with their reported figures and sessions of 2027 open for registration.

Loaded through the bulk import (source ``demo``) at any scale: the pilot for ``make run``, the
whole country for benchmarks. The import gives each record the id the other services expect:
``shared.demo.demo_id(record, external id)`` (so a session's id is its ``PlannedSession.id``),
except the first provider, which is the gateway's demo provider account's (``DEMO_PROVIDER_ID``).
Loading again changes nothing: when the catalogue's last session is there, the seed returns.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from random import Random
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from offers.exchange import repository
from offers.exchange.formats import RawRow
from offers.exchange.pipeline import Importer
from offers.exchange.repository import ExternalKey
from offers.exchange.schemas import ImportMode, ImportReport
from shared.db import create_engine, create_sessionmaker
from shared.demo import (
    DEMO_PROVIDER_KEY,
    PILOT_END,
    SIZES,
    Catalogue,
    PlannedOffer,
    PlannedProvider,
    PlannedSession,
    Scale,
    Sizes,
    catalogue,
    demo_id,
    phone,
    provider_id,
    rng,
    town,
    web_domain,
)
from shared.principal import Principal, Role
from shared.progress import progress
from shared.reference import Sector

SOURCE = "demo"
# The provider the gateway's demo account provider@demo.kafaat.ma works for (gateway/demo.py):
# the catalogue's first provider (region 01) gets this id, so that account owns its offers.
DEMO_PROVIDER_EXTERNAL_ID = DEMO_PROVIDER_KEY
# Rows handed to the import at a time.
CHUNK = 1000


@dataclass(frozen=True)
class Trade:
    """A vocational trade as the demo's offers teach it."""

    title_fr: str
    title_ar: str
    does: str  # what a completer can do, the first sentence of the description
    isced_field: str  # ISCED-F broad field
    isco_groups: tuple[str, ...]  # ISCO-08 major groups
    entry_level: str
    certification_level: str
    mode: str
    hours: int


def _trade(title_fr: str, title_ar: str, does: str, profile: str) -> Trade:
    """``profile``: "ISCED field | ISCO groups | entry level | certification | mode | hours"."""
    isced, isco, entry, level, mode, hours = (part.strip() for part in profile.split("|"))
    return Trade(
        title_fr, title_ar, does, isced, tuple(isco.split()), entry, level, mode, int(hours)
    )


TRADES: dict[Sector, tuple[Trade, ...]] = {
    Sector.TOURISM: (
        _trade(
            "Réceptionniste en hôtellerie",
            "موظف استقبال في الفندقة",
            "Accueillir les clients, gérer les réservations et la facturation à la réception "
            "d'un hôtel, en français, en anglais et en espagnol",
            "10 | 4 5 | upper_secondary | qualification | in_person | 700",
        ),
        _trade(
            "Guide de tourisme rural et de montagne",
            "مرشد السياحة القروية والجبلية",
            "Concevoir et accompagner des circuits de découverte dans les villages et les "
            "montagnes, en valorisant le patrimoine local",
            "10 | 5 | lower_secondary | specialisation | in_person | 300",
        ),
        _trade(
            "Agent d'animation touristique",
            "منشط سياحي",
            "Préparer et animer les activités de loisirs des clients d'un hôtel, d'un club ou "
            "d'une maison d'hôtes",
            "10 | 3 5 | lower_secondary | qualification | work_based | 480",
        ),
        _trade(
            "Gestionnaire de maison d'hôtes",
            "مسير دار الضيافة",
            "Tenir une maison d'hôtes ou un gîte: accueil, ménage, cuisine, prix et promotion "
            "en ligne",
            "04 | 1 5 | primary | attendance | blended | 160",
        ),
        _trade(
            "Agent de voyages et billetterie",
            "وكيل أسفار وحجز التذاكر",
            "Conseiller les voyageurs, construire un séjour et émettre les billets sur les "
            "systèmes de réservation",
            "10 | 4 | baccalaureate | technician | in_person | 900",
        ),
    ),
    Sector.RENEWABLE_ENERGY: (
        _trade(
            "Installation de panneaux photovoltaïques",
            "تركيب الألواح الشمسية",
            "Dimensionner, poser et mettre en service une installation solaire photovoltaïque "
            "raccordée au réseau ou autonome",
            "07 | 7 3 | upper_secondary | specialisation | blended | 240",
        ),
        _trade(
            "Technicien de maintenance éolienne",
            "تقني صيانة الطاقة الريحية",
            "Surveiller, entretenir et dépanner les éoliennes d'un parc, en travail en hauteur "
            "et en sécurité",
            "07 | 3 | baccalaureate | specialised_technician | work_based | 1000",
        ),
        _trade(
            "Installateur de chauffe-eau solaires",
            "مركب سخانات المياه الشمسية",
            "Poser, raccorder et entretenir les chauffe-eau solaires des logements et des hammams",
            "07 | 7 | lower_secondary | qualification | in_person | 400",
        ),
        _trade(
            "Électricien en efficacité énergétique",
            "كهربائي في النجاعة الطاقية",
            "Réaliser un diagnostic énergétique simple et installer des équipements économes "
            "dans un bâtiment",
            "07 | 7 3 | upper_secondary | technician | blended | 600",
        ),
        _trade(
            "Pompage solaire agricole",
            "الضخ الشمسي الفلاحي",
            "Installer et entretenir une pompe solaire pour l'irrigation d'une exploitation "
            "agricole",
            "07 | 7 6 | primary | attendance | work_based | 120",
        ),
    ),
    Sector.CRAFTS: (
        _trade(
            "Tissage et broderie traditionnels",
            "النسيج والطرز التقليدي",
            "Réaliser des pièces tissées et brodées selon les motifs de la région et les "
            "vendre en coopérative",
            "02 | 7 | none | attendance | in_person | 200",
        ),
        _trade(
            "Maroquinerie artisanale",
            "صناعة الجلد التقليدية",
            "Couper, assembler et finir des articles en cuir: sacs, ceintures, babouches",
            "07 | 7 | none | qualification | work_based | 400",
        ),
        _trade(
            "Poterie et céramique",
            "الفخار والخزف",
            "Façonner, décorer, émailler et cuire des pièces de poterie utilitaires et décoratives",
            "02 | 7 | primary | qualification | work_based | 600",
        ),
        _trade(
            "Menuiserie d'art et marqueterie",
            "النجارة الفنية والترصيع",
            "Travailler le bois de thuya et de cèdre: sculpture, marqueterie et finitions",
            "07 | 7 | primary | qualification | work_based | 800",
        ),
        _trade(
            "Zellige et plâtre sculpté",
            "الزليج والجبس المنقوش",
            "Tailler et poser le zellige, sculpter le plâtre des décors traditionnels",
            "02 | 7 | none | specialisation | work_based | 500",
        ),
    ),
    Sector.TEXTILE: (
        _trade(
            "Couture industrielle",
            "الخياطة الصناعية",
            "Conduire les machines à coudre industrielles et assembler un vêtement sur une "
            "chaîne de confection",
            "07 | 8 | none | specialisation | work_based | 300",
        ),
        _trade(
            "Modélisme et patronage",
            "تصميم النماذج والباترون",
            "Concevoir les patrons d'un vêtement, les gradations de tailles et le placement "
            "sur logiciel",
            "07 | 3 7 | baccalaureate | technician | blended | 900",
        ),
        _trade(
            "Contrôle qualité en confection",
            "مراقبة الجودة في صناعة الملابس",
            "Contrôler les pièces à chaque étape de la confection et suivre les défauts",
            "07 | 3 | upper_secondary | qualification | in_person | 450",
        ),
        _trade(
            "Mécanicien de machines à coudre",
            "ميكانيكي آلات الخياطة",
            "Régler, entretenir et réparer les machines d'un atelier de confection",
            "07 | 7 | lower_secondary | qualification | work_based | 600",
        ),
        _trade(
            "Chef d'équipe en confection",
            "رئيس فريق في صناعة الملابس",
            "Organiser le travail d'une ligne de production, former et encadrer les opératrices",
            "04 | 3 | upper_secondary | specialisation | blended | 240",
        ),
    ),
    Sector.AGRICULTURE_AGRIFOOD: (
        _trade(
            "Conducteur de ligne agroalimentaire",
            "مشغل خط الإنتاج الغذائي",
            "Conduire et nettoyer une ligne de conditionnement dans le respect de l'hygiène et "
            "de la traçabilité",
            "07 | 8 | lower_secondary | qualification | work_based | 600",
        ),
        _trade(
            "Transformation des produits du terroir",
            "تثمين المنتجات المحلية",
            "Transformer et conditionner huile d'olive, miel, figues et plantes aromatiques "
            "en coopérative",
            "07 | 7 6 | none | attendance | in_person | 160",
        ),
        _trade(
            "Ouvrier qualifié en arboriculture",
            "عامل مؤهل في زراعة الأشجار المثمرة",
            "Planter, tailler, traiter et récolter les vergers d'oliviers, d'agrumes et "
            "d'amandiers",
            "08 | 6 | primary | qualification | work_based | 500",
        ),
        _trade(
            "Technicien en irrigation localisée",
            "تقني في الري الموضعي",
            "Installer, piloter et entretenir un réseau de goutte-à-goutte économe en eau",
            "08 | 3 | baccalaureate | technician | blended | 800",
        ),
        _trade(
            "Aviculture et élevage",
            "تربية الدواجن والماشية",
            "Conduire un élevage de volailles ou de petits ruminants: alimentation, soins, vente",
            "08 | 6 | none | attendance | work_based | 200",
        ),
    ),
    Sector.CONSTRUCTION: (
        _trade(
            "Électricité du bâtiment",
            "كهرباء البناء",
            "Installer, raccorder et entretenir les installations électriques des logements "
            "et des locaux professionnels",
            "07 | 7 | lower_secondary | qualification | work_based | 900",
        ),
        _trade(
            "Plomberie sanitaire",
            "الترصيص الصحي",
            "Poser et réparer les canalisations, les appareils sanitaires et le chauffage",
            "07 | 7 | primary | qualification | work_based | 700",
        ),
        _trade(
            "Maçonnerie et coffrage",
            "البناء والتلبيس",
            "Monter des murs, couler le béton et réaliser les coffrages d'un chantier",
            "07 | 7 9 | none | specialisation | work_based | 500",
        ),
        _trade(
            "Peinture et revêtements",
            "الصباغة والتكسية",
            "Préparer les supports, peindre et poser carrelage et revêtements de sol",
            "07 | 7 | none | specialisation | in_person | 400",
        ),
        _trade(
            "Conducteur d'engins de chantier",
            "سائق آليات الأوراش",
            "Conduire pelles, chargeuses et niveleuses en sécurité sur un chantier de travaux "
            "publics",
            "07 | 8 | lower_secondary | qualification | work_based | 600",
        ),
    ),
    Sector.AUTOMOTIVE_AERONAUTICS: (
        _trade(
            "Câblage automobile",
            "الكابلاج في صناعة السيارات",
            "Assembler et contrôler les faisceaux électriques des véhicules sur une ligne de "
            "production",
            "07 | 8 | lower_secondary | specialisation | work_based | 240",
        ),
        _trade(
            "Mécanique automobile",
            "ميكانيك السيارات",
            "Diagnostiquer et réparer moteurs, freins et transmissions d'un véhicule léger",
            "07 | 7 | lower_secondary | qualification | work_based | 1000",
        ),
        _trade(
            "Ajusteur-monteur aéronautique",
            "مركب ومعدل في صناعة الطائرات",
            "Assembler, riveter et ajuster les éléments de structure d'un aéronef",
            "07 | 7 | upper_secondary | technician | in_person | 900",
        ),
        _trade(
            "Carrosserie et peinture automobile",
            "هيكلة وصباغة السيارات",
            "Redresser, remplacer et peindre les éléments de carrosserie d'un véhicule",
            "07 | 7 | primary | qualification | work_based | 800",
        ),
        _trade(
            "Logistique de production industrielle",
            "لوجستيك الإنتاج الصناعي",
            "Approvisionner les lignes, gérer les stocks et conduire un chariot élévateur",
            "04 | 4 8 | lower_secondary | specialisation | blended | 300",
        ),
    ),
    Sector.OFFSHORING_DIGITAL: (
        _trade(
            "Développement web et mobile",
            "تطوير الويب والهاتف المحمول",
            "Concevoir des sites et des applications mobiles, de la maquette à la mise en "
            "ligne, en équipe et en méthode agile",
            "06 | 2 3 | baccalaureate | specialised_technician | blended | 1000",
        ),
        _trade(
            "Conseiller client en centre d'appels",
            "مستشار الزبناء في مركز النداء",
            "Accueillir, informer et conseiller les clients au téléphone et par écrit",
            "04 | 4 | upper_secondary | attendance | in_person | 160",
        ),
        _trade(
            "Technicien support informatique",
            "تقني الدعم المعلوماتي",
            "Installer les postes de travail, dépanner les utilisateurs et gérer un petit réseau",
            "06 | 3 | baccalaureate | technician | in_person | 800",
        ),
        _trade(
            "Marketing digital et réseaux sociaux",
            "التسويق الرقمي ووسائل التواصل",
            "Animer les réseaux sociaux d'une entreprise et mesurer ses campagnes en ligne",
            "04 | 2 3 | baccalaureate | specialisation | remote | 200",
        ),
        _trade(
            "Compétences numériques de base",
            "المهارات الرقمية الأساسية",
            "Utiliser un ordinateur, la messagerie, les démarches en ligne et un tableur",
            "06 | 4 | none | attendance | in_person | 60",
        ),
    ),
}

# Completion and certification differ by sector: short trades and those employers hire from
# directly complete best; digital and technical diplomas lose more learners along the way.
RATES: dict[Sector, tuple[float, float, float]] = {  # (occupancy, completion, certification)
    Sector.TOURISM: (0.82, 0.76, 0.86),
    Sector.RENEWABLE_ENERGY: (0.85, 0.79, 0.88),
    Sector.CRAFTS: (0.78, 0.81, 0.80),
    Sector.TEXTILE: (0.84, 0.74, 0.87),
    Sector.AGRICULTURE_AGRIFOOD: (0.74, 0.72, 0.83),
    Sector.CONSTRUCTION: (0.80, 0.73, 0.85),
    Sector.AUTOMOTIVE_AERONAUTICS: (0.86, 0.78, 0.90),
    Sector.OFFSHORING_DIGITAL: (0.79, 0.69, 0.82),
}

_PROVIDER_NAMES: dict[str, tuple[str, ...]] = {
    "public_institute": (
        "Institut Spécialisé de Technologie Appliquée de {town}",
        "Institut de Formation Professionnelle de {town}",
        "Centre de Formation par Apprentissage de {town}",
        "Institut Spécialisé des Métiers de {town}",
    ),
    "private_school": (
        "École Supérieure Privée des Métiers de {town}",
        "Institut Privé Al Amal de {town}",
        "École Privée Nour de Formation de {town}",
        "Centre Privé Avenir Compétences de {town}",
    ),
    "association": (
        "Association Tanmia pour l'insertion de {town}",
        "Association Al Karama des jeunes de {town}",
        "Association Femmes et Métiers de {town}",
        "Association Chabab pour la formation de {town}",
    ),
    "company": (
        "Académie de formation de {town} SARL",
        "{town} Industries Formation SA",
        "Compétences {town} SARL",
        "Atlas Formation {town} SARL",
    ),
    # Chambers are regional, with an office in the provinces.
    "chamber": (
        "Chambre d'Artisanat de la région, antenne de {town}",
        "Chambre de Commerce, d'Industrie et de Services, annexe de {town}",
        "Chambre d'Agriculture de la région, antenne de {town}",
    ),
}
_ACCREDITATION = {
    "public_institute": "Établissement public de formation professionnelle",
    "private_school": "Établissement privé accrédité par le Département de la Formation "
    "professionnelle",
}
_TRAINING_WAY = (
    " La formation alterne cours théoriques, travaux pratiques en atelier et un stage en "
    "entreprise; les apprenants sont accompagnés vers l'emploi à la fin du parcours."
)
_PUBLICS: dict[Sector, tuple[str, ...]] = {
    Sector.CRAFTS: ("women", "rural", "people_with_disabilities"),
    Sector.TEXTILE: ("women", "neet_youth"),
    Sector.AGRICULTURE_AGRIFOOD: ("rural", "women"),
}


def provider_row(planned: PlannedProvider, n: int) -> dict[str, Any]:
    draw = rng("offers", "provider", planned.key)
    commune = town(planned.region, planned.province, n)
    name = draw.choice(_PROVIDER_NAMES[planned.kind]).format(town=commune)
    domain = web_domain(name)
    return {
        "record": "provider",
        "external_id": planned.key,
        "status": "published",
        "name": name,
        "kind": planned.kind,
        "region": planned.region,
        "province": planned.province,
        "commune": commune,
        "address": f"{draw.randrange(1, 200)}, {draw.choice(_STREETS)}, {commune}",
        "phone": phone(draw),
        "email": f"contact@{domain}",
        "website": f"https://{domain}" if draw.random() < 0.6 else None,
        "accreditation": _ACCREDITATION.get(planned.kind),
    }


_STREETS = (
    "avenue Mohammed V",
    "boulevard Hassan II",
    "rue Ibn Khaldoun",
    "avenue des FAR",
    "rue Allal Ben Abdellah",
    "quartier industriel",
)


def _cost(kind: str, hours: int, draw: Random) -> int:
    if kind == "private_school":
        return 100 * round(hours * draw.uniform(0.08, 0.15))
    if kind == "company" and draw.random() < 0.4:
        return 100 * round(hours * draw.uniform(0.02, 0.05))
    return 0


def offer_row(planned: PlannedOffer, provider: PlannedProvider) -> dict[str, Any]:
    draw = rng("offers", "offer", planned.key)
    trade = draw.choice(TRADES[planned.sector])
    hours = max(40, 10 * round(trade.hours * draw.uniform(0.08, 0.12)))
    languages = ["ar", "fr"]
    if planned.sector is Sector.TOURISM:
        languages.append(draw.choice(("en", "es")))
    elif planned.sector is Sector.OFFSHORING_DIGITAL:
        languages = ["fr", "en"]
    elif planned.sector is Sector.CRAFTS and draw.random() < 0.5:
        languages.append("zgh")
    publics = _PUBLICS.get(planned.sector, ("neet_youth", "long_term_unemployed"))
    target = (
        ["all"] if draw.random() < 0.4 else sorted(draw.sample(publics, k=1 + len(publics) // 2))
    )
    return {
        "record": "offer",
        "external_id": planned.key,
        "provider_external_id": planned.provider_key,
        "status": "published",
        "title_fr": trade.title_fr,
        # One offer in seven has no Arabic title, as in the programme's own files.
        "title_ar": trade.title_ar if draw.random() < 6 / 7 else None,
        "description": f"{trade.does}.{_TRAINING_WAY}",
        "objectives": f"À la fin de la formation, l'apprenant sait: {trade.does[0].lower()}"
        f"{trade.does[1:]}.",
        "sector": planned.sector.value,
        "isced_field": trade.isced_field,
        "isco_groups": list(trade.isco_groups),
        "entry_level": trade.entry_level,
        "certification_level": trade.certification_level,
        "certification_name": f"Attestation « {trade.title_fr} »"
        if trade.certification_level == "attendance"
        else None,
        "mode": trade.mode,
        "duration_hours": hours,
        "languages": languages,
        "cost_mad": _cost(provider.kind, hours, draw),
        "target_publics": target,
    }


def _share(count: int, rate: float, draw: Random) -> int:
    """A share of ``count`` around ``rate`` (never more than ``count``)."""
    return min(count, max(0, round(count * draw.gauss(rate, 0.08))))


def session_row(planned: PlannedSession) -> dict[str, Any]:
    """A session of the pilot (started by its end) is finished with its figures reported; a
    later one is open for registration."""
    draw = rng("offers", "session", planned.key)
    row: dict[str, Any] = {
        "record": "session",
        "external_id": planned.key,
        "offer_external_id": planned.offer_key,
        "start_date": planned.start,
        "end_date": planned.end,
        "region": planned.region,
        "province": planned.province,
        "commune": town(planned.region, planned.province, draw.randrange(5)),
        "seats_total": planned.seats,
        "schedule": draw.choice(
            ("Lun–Ven 8h30–12h30", "Lun–Ven 14h–18h", "Lun–Sam 8h–13h", "Mar, Jeu, Sam 9h–16h")
        ),
    }
    if planned.start <= PILOT_END:
        occupancy, completion, certification = RATES[planned.sector]
        enrolled = _share(planned.seats, occupancy, draw)
        completed = _share(enrolled, completion, draw)
        row |= {
            "status": "completed",
            "enrolled": enrolled,
            "completed": completed,
            "certified": _share(completed, certification, draw),
        }
    else:
        row |= {
            "status": "open",
            "registration_deadline": planned.start - timedelta(days=7 + draw.randrange(21)),
        }
    return row


def rows(plan: Catalogue) -> Iterator[dict[str, Any]]:
    """The import rows of the catalogue: every provider, then each offer with its sessions."""
    by_key = {provider.key: provider for provider in plan.providers}
    for n, provider in enumerate(plan.providers):
        yield provider_row(provider, n)
    sessions: dict[str, list[PlannedSession]] = {}
    for session in plan.sessions:
        sessions.setdefault(session.offer_key, []).append(session)
    for offer in plan.offers:
        yield offer_row(offer, by_key[offer.provider_key])
        for session in sessions.get(offer.key, []):
            yield session_row(session)


def record_id(record: str, key: ExternalKey) -> UUID:
    """The id the demo's records get (see the module's docstring)."""
    _, external_id = key
    if record == "provider":
        return provider_id(external_id)
    return demo_id(record, external_id)


async def _chunks(plan: Catalogue) -> AsyncIterator[list[RawRow]]:
    chunk: list[RawRow] = []
    for line, row in enumerate(rows(plan), start=1):
        chunk.append(RawRow(line, {k: v for k, v in row.items() if v is not None}))
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


async def load(sessionmaker: async_sessionmaker[AsyncSession], plan: Catalogue) -> ImportReport:
    """Import the catalogue (all of it again: what is already there is left unchanged)."""
    total = len(plan.providers) + len(plan.offers) + len(plan.sessions)
    with progress("offers demo", total=total, unit="rows") as advance:
        done = 0

        def moved(rows_done: int) -> None:
            nonlocal done
            advance(rows_done - done)
            done = rows_done

        importer = Importer(
            sessionmaker,
            Principal(subject="demo", kind="user", role=Role.ADMIN),
            mode=ImportMode.KEEP_VALID,
            default_source=SOURCE,
            on_progress=moved,
            record_id=record_id,
        )
        return await importer.run(_chunks(plan))


async def seed(
    database_url: str, scale: Scale = Scale.PILOT, *, sizes: Sizes | None = None
) -> None:
    """Load the demo catalogue at ``scale`` (or ``sizes``); a second run changes nothing."""
    plan = catalogue(sizes or SIZES[scale])
    engine = create_engine(database_url)
    try:
        sessionmaker = create_sessionmaker(engine)
        async with sessionmaker() as db:
            # Batches commit as they go: the last session is there only once all of it is.
            last = (SOURCE, plan.sessions[-1].key)
            if await repository.by_external_keys(db, repository.session_table, [last]):
                return
        report = await load(sessionmaker, plan)
        if report.error_count:
            raise RuntimeError(f"the demo data does not import: {report.errors[:10]}")
    finally:
        await engine.dispose()
