"""What the demo data of every service shares: its scale, its deterministic ids and randomness.

The demo data is generated, not written by hand, so that one generator fills the platform at two
scales: ``pilot`` (what the first ``make run`` loads: the programme's pilot in its two regions,
August 2017 to May 2021) and ``national`` (the whole country, for benchmarks:
``kafaat seed-demo --scale national``). Each service generates its own records through its own
code, into its own database; what ties them together (a referral's session, a manager's
association) is an id every service computes the same way from the same key (``demo_id``).

The same key gives the same record on every run and every machine: ``demo_id`` is a UUID v5 and
``rng`` a ``random.Random`` seeded with a string (hashed with SHA-512, not Python's salted
``hash``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from uuid import UUID, uuid5

from shared.reference import Sector, provinces, region_codes
from shared.text import search_terms

# The namespace of every demo id (a UUID v4 drawn once for the project).
NAMESPACE = UUID("3b0e5c1e-8a57-4f4e-9d3e-6b1f0c2a7d10")
# The provider of the gateway's demo account provider@demo.kafaat.ma (gateway.demo): the first
# provider of the catalogue has this id, not its ``demo_id``.
DEMO_PROVIDER_ID = UUID("6f1c2a4e-0d51-4c8e-9b0a-5a3e1d7c0002")
DEMO_PROVIDER_KEY = "demo-provider-00000"

PILOT_REGIONS = ("01", "02")
# The pilot: 46 months from August 2017.
PILOT_START = date(2017, 8, 1)
PILOT_END = date(2021, 5, 31)
PILOT_MONTHS = 46


class Scale(StrEnum):
    PILOT = "pilot"
    NATIONAL = "national"


@dataclass(frozen=True)
class Sizes:
    """How many records of each kind a scale generates (each service reads its own)."""

    regions: tuple[str, ...]
    providers: int
    offers: int
    associations: int
    people: int
    placed: int  # people with a positive outcome (employment, TPE, cooperative, auto-entrepreneur)
    partners: int
    networks: int
    events: int

    def scaled(self, fraction: float) -> Sizes:
        """The same shape with every count multiplied by ``fraction`` (at least 1): how the
        tests run the national generator in seconds."""

        def of(count: int) -> int:
            return max(1, round(count * fraction))

        return replace(
            self,
            providers=of(self.providers),
            offers=of(self.offers),
            associations=of(self.associations),
            people=of(self.people),
            placed=of(self.placed),
            partners=of(self.partners),
            networks=of(self.networks),
            events=of(self.events),
        )


SIZES: dict[Scale, Sizes] = {
    Scale.PILOT: Sizes(
        regions=PILOT_REGIONS,
        providers=42,
        offers=156,
        associations=11,
        people=550,
        placed=200,
        partners=84,
        networks=2,
        events=64,
    ),
    Scale.NATIONAL: Sizes(
        regions=tuple(sorted(region_codes())),
        providers=4_000,
        offers=100_000,
        associations=1_000,
        people=1_000_000,
        placed=360_000,
        partners=10_000,
        networks=12,
        events=6_000,
    ),
}


def demo_id(*key: object) -> UUID:
    """The id of the demo record named by ``key`` (``demo_id("session", "ista-tetouan-3")``),
    the same in every service and on every run."""
    return uuid5(NAMESPACE, "/".join(str(part) for part in key))


def provider_id(key: str) -> UUID:
    """The id the offers service gives the demo provider ``key``, the one a referral names."""
    return DEMO_PROVIDER_ID if key == DEMO_PROVIDER_KEY else demo_id("provider", key)


def rng(*key: object) -> random.Random:
    """A random generator of its own for the part of the data named by ``key``: the same
    draws on every run, and one part's draws do not shift when another part changes."""
    return random.Random("/".join(str(part) for part in key))


# The sectors of the demo's training offer (the programme's four first, then those the pilot
# regions train for most).
DEMO_SECTORS = (
    Sector.TOURISM,
    Sector.RENEWABLE_ENERGY,
    Sector.CRAFTS,
    Sector.TEXTILE,
    Sector.AGRICULTURE_AGRIFOOD,
    Sector.CONSTRUCTION,
    Sector.AUTOMOTIVE_AERONAUTICS,
    Sector.OFFSHORING_DIGITAL,
)
PROVIDER_KINDS = ("public_institute", "private_school", "association", "company", "chamber")


@dataclass(frozen=True)
class PlannedProvider:
    key: str  # its external id in the offers service (source ``demo``)
    kind: str
    region: str
    province: str | None  # the reference data has the provinces of the pilot regions only


@dataclass(frozen=True)
class PlannedOffer:
    key: str
    provider_key: str
    sector: Sector


@dataclass(frozen=True)
class PlannedSession:
    """A session of the demo catalogue; every service that refers to it (a referral) uses
    ``id``, the id the offers service gives it."""

    key: str
    offer_key: str
    sector: Sector
    region: str
    province: str | None
    start: date
    end: date
    seats: int

    @property
    def id(self) -> UUID:
        return demo_id("session", self.key)


@dataclass(frozen=True)
class Catalogue:
    providers: tuple[PlannedProvider, ...]
    offers: tuple[PlannedOffer, ...]
    sessions: tuple[PlannedSession, ...]


def _provinces(region: str) -> tuple[str, ...]:
    return tuple(p.code for p in provinces() if p.region_code == region)


def catalogue(sizes: Sizes) -> Catalogue:
    """The providers, offers and sessions of the demo's training offer, the same on every run:
    providers spread over the regions (and their provinces where the reference data has them),
    offers over the sectors, and for each offer one session a year of the pilot (from
    September 2017) and one upcoming in 2027, so the catalogue has open seats today."""
    draw = rng("catalogue", sizes.providers, sizes.offers)
    providers = []
    for n in range(sizes.providers):
        region = sizes.regions[n % len(sizes.regions)]
        where = _provinces(region)
        providers.append(
            PlannedProvider(
                key=f"demo-provider-{n:05d}",
                kind=PROVIDER_KINDS[draw.randrange(len(PROVIDER_KINDS))],
                region=region,
                province=where[draw.randrange(len(where))] if where else None,
            )
        )
    offers = [
        PlannedOffer(
            key=f"demo-offer-{n:06d}",
            provider_key=providers[n % len(providers)].key,
            sector=DEMO_SECTORS[(n // len(providers) + n) % len(DEMO_SECTORS)],
        )
        for n in range(sizes.offers)
    ]
    by_key = {provider.key: provider for provider in providers}
    sessions = []
    for n, offer in enumerate(offers):
        provider = by_key[offer.provider_key]
        years = [2017 + (n + k) % 4 for k in range(1 + n % 3)] + [2027]
        for index, year in enumerate(sorted(set(years))):
            month = 9 if year in (2017, 2027) else 1 + draw.randrange(9)
            start = date(year, month, 1)
            months = 3 + draw.randrange(7)
            end_month = month + months
            end = date(year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 28)
            sessions.append(
                PlannedSession(
                    key=f"{offer.key}-{index}",
                    offer_key=offer.key,
                    sector=offer.sector,
                    region=provider.region,
                    province=provider.province,
                    start=start,
                    end=end,
                    seats=12 + 4 * draw.randrange(5),
                )
            )
    return Catalogue(tuple(providers), tuple(offers), tuple(sessions))


# Where the demo's organisations are: the main town of each province of the pilot, and a few
# towns of each other region (the reference data has the pilot's provinces only).
PROVINCE_TOWNS: dict[str, str] = {
    "01.511": "Tanger",
    "01.573": "M'Diq",
    "01.571": "Tétouan",
    "01.227": "Ksar Sghir",
    "01.331": "Larache",
    "01.051": "Al Hoceïma",
    "01.151": "Chefchaouen",
    "01.405": "Ouezzane",
    "02.411": "Oujda",
    "02.381": "Nador",
    "02.167": "Driouch",
    "02.275": "Jerada",
    "02.113": "Berkane",
    "02.533": "Taourirt",
    "02.265": "Guercif",
    "02.251": "Figuig",
}
REGION_TOWNS: dict[str, tuple[str, ...]] = {
    "01": ("Tanger", "Tétouan", "Al Hoceïma", "Larache", "Chefchaouen"),
    "02": ("Oujda", "Nador", "Berkane", "Taourirt", "Guercif"),
    "03": ("Fès", "Meknès", "Taza", "Ifrane", "Sefrou"),
    "04": ("Rabat", "Salé", "Kénitra", "Témara", "Khémisset"),
    "05": ("Béni Mellal", "Khénifra", "Khouribga", "Fquih Ben Salah", "Azilal"),
    "06": ("Casablanca", "Mohammédia", "Settat", "El Jadida", "Berrechid"),
    "07": ("Marrakech", "Safi", "Essaouira", "El Kelâa des Sraghna", "Youssoufia"),
    "08": ("Errachidia", "Ouarzazate", "Tinghir", "Zagora", "Midelt"),
    "09": ("Agadir", "Inezgane", "Taroudant", "Tiznit", "Ouled Teima"),
    "10": ("Guelmim", "Tan-Tan", "Sidi Ifni", "Assa"),
    "11": ("Laâyoune", "Boujdour", "Tarfaya", "Es-Semara"),
    "12": ("Dakhla", "Aousserd"),
}


def town(region: str, province: str | None, n: int = 0) -> str:
    """The town of a demo organisation: its province's, or (no province known) the ``n``-th
    of its region's, so records without a province still spread over several towns."""
    if province is not None and province in PROVINCE_TOWNS:
        return PROVINCE_TOWNS[province]
    towns = REGION_TOWNS[region]
    return towns[n % len(towns)]


def web_domain(name: str) -> str:
    """The (reserved, never real) web domain of a demo organisation called ``name``: its first
    words folded to ASCII, joined with hyphens, under ``example.ma``."""
    words: list[str] = []
    for word in search_terms(name.replace("'", " ")):
        if len("-".join([*words, word])) > 40:
            break
        words.append(word)
    return "-".join(words) + ".example.ma"


def phone(draw: random.Random) -> str:
    """A Moroccan landline number (``+212 5…``) for a demo organisation."""
    digits = [draw.randrange(10, 100) for _ in range(3)]
    return f"+212 5{draw.randrange(22, 40)} " + " ".join(f"{d:02d}" for d in digits)
