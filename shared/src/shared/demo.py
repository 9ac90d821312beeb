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

from shared.reference import region_codes

# The namespace of every demo id (a UUID v4 drawn once for the project).
NAMESPACE = UUID("3b0e5c1e-8a57-4f4e-9d3e-6b1f0c2a7d10")

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


def rng(*key: object) -> random.Random:
    """A random generator of its own for the part of the data named by ``key``: the same
    draws on every run, and one part's draws do not shift when another part changes."""
    return random.Random("/".join(str(part) for part in key))
