"""Reference data carried into the project: regions, provinces, ISCED-F, ISCO-08, vocabularies.

Sources: décret n° 2-15-40 (regions), the territorial authorities' lists (provinces of the two
pilot regions, codes provisional), UNESCO ISCED-F 2013 broad fields, ILO ISCO-08 major groups.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict

from shared.reference.vocabularies import (
    OUTCOME_NAMES_FR,
    PROGRAMME_SECTORS,
    SECTOR_NAMES_FR,
    VULNERABILITY_NAMES_FR,
    OutcomeType,
    Sector,
    VulnerabilityCriterion,
)

__all__ = [
    "CodedTerm",
    "OutcomeType",
    "Province",
    "Region",
    "Sector",
    "SectorTerm",
    "VulnerabilityCriterion",
    "isced_fields",
    "isco_groups",
    "outcome_types",
    "provinces",
    "region_codes",
    "regions",
    "sectors",
    "vulnerability_criteria",
]


class Region(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    name_fr: str
    name_ar: str
    pilot: bool


class Province(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    region_code: str
    name_fr: str


class CodedTerm(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    name: str


class SectorTerm(CodedTerm):
    programme_priority: bool


def _rows(filename: str) -> list[dict[str, str]]:
    text = resources.files("shared.reference").joinpath("data", filename).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def regions() -> tuple[Region, ...]:
    return tuple(
        Region(
            code=r["code"], name_fr=r["name_fr"], name_ar=r["name_ar"], pilot=r["pilot"] == "true"
        )
        for r in _rows("regions.csv")
    )


@cache
def region_codes() -> frozenset[str]:
    return frozenset(region.code for region in regions())


@cache
def provinces() -> tuple[Province, ...]:
    return tuple(
        Province(code=r["code"], region_code=r["region_code"], name_fr=r["name_fr"])
        for r in _rows("provinces-pilot.csv")
    )


@cache
def isced_fields() -> tuple[CodedTerm, ...]:
    return tuple(CodedTerm(code=r["code"], name=r["name"]) for r in _rows("isced-f-broad.csv"))


@cache
def isco_groups() -> tuple[CodedTerm, ...]:
    return tuple(CodedTerm(code=r["code"], name=r["name"]) for r in _rows("isco-08-major.csv"))


@cache
def sectors() -> tuple[SectorTerm, ...]:
    return tuple(
        SectorTerm(code=s.value, name=SECTOR_NAMES_FR[s], programme_priority=s in PROGRAMME_SECTORS)
        for s in Sector
    )


@cache
def vulnerability_criteria() -> tuple[CodedTerm, ...]:
    return tuple(
        CodedTerm(code=c.value, name=VULNERABILITY_NAMES_FR[c]) for c in VulnerabilityCriterion
    )


@cache
def outcome_types() -> tuple[CodedTerm, ...]:
    return tuple(CodedTerm(code=o.value, name=OUTCOME_NAMES_FR[o]) for o in OutcomeType)
