"""``/reference/*``: the programme's reference lists, served by the gateway."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from shared import reference
from shared.auth import public
from shared.problems import ProblemError, problem_responses
from shared.reference import CodedTerm, Province, Region, SectorTerm

router = APIRouter(prefix="/reference", tags=["reference"])


@router.get("/regions", response_model=list[Region], name="regions")
@public
async def list_regions() -> tuple[Region, ...]:
    """The 12 regions of Morocco (décret n° 2-15-40), with French and Arabic names."""
    return reference.regions()


@router.get(
    "/regions/{code}", response_model=Region, name="region", responses=problem_responses(404)
)
@public
async def get_region(code: str) -> Region:
    for region in reference.regions():
        if region.code == code:
            return region
    raise ProblemError(404, "no_region_code", params={"code": code}, slug="not-found")


@router.get("/provinces", response_model=list[Province], name="provinces")
@public
async def list_provinces(
    region: Annotated[str | None, Query(pattern=r"^\d{2}$", description="Region code")] = None,
) -> list[Province]:
    """Provinces and prefectures of the pilot regions (codes provisional)."""
    return [p for p in reference.provinces() if region is None or p.region_code == region]


@router.get("/sectors", response_model=list[SectorTerm], name="sectors")
@public
async def list_sectors() -> tuple[SectorTerm, ...]:
    return reference.sectors()


@router.get("/isced-fields", response_model=list[CodedTerm], name="isced-fields")
@public
async def list_isced_fields() -> tuple[CodedTerm, ...]:
    """UNESCO ISCED-F 2013 broad fields of education and training."""
    return reference.isced_fields()


@router.get("/isco-groups", response_model=list[CodedTerm], name="isco-groups")
@public
async def list_isco_groups() -> tuple[CodedTerm, ...]:
    """ILO ISCO-08 major groups of occupations."""
    return reference.isco_groups()


@router.get(
    "/vulnerability-criteria", response_model=list[CodedTerm], name="vulnerability-criteria"
)
@public
async def list_vulnerability_criteria() -> tuple[CodedTerm, ...]:
    return reference.vulnerability_criteria()


@router.get("/outcome-types", response_model=list[CodedTerm], name="outcome-types")
@public
async def list_outcome_types() -> tuple[CodedTerm, ...]:
    return reference.outcome_types()
