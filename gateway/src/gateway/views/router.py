"""``/api/v1/dashboard``, ``/api/v1/adequacy`` and ``/api/v1/regions/{code}/profile``: the
regional views, each gathered from the services at once (``views.fanout``).

One service failing or late: 200 with ``completed: false`` and ``errors`` naming it; every one
failing: 502, or 504 when all were too slow. Each view sends an ``ETag`` of its content and
answers ``If-None-Match`` naming it with 304.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from gateway.views import adequacy, dashboard, profile, report
from gateway.views.fanout import FanOut, Gathered, Part
from gateway.views.scope import ViewReader, may_view, view_region
from shared.concurrency import conditional, conditional_content
from shared.db import utcnow
from shared.fields import RegionCode
from shared.principal import Principal
from shared.problems import ProblemError, not_found, problem_responses
from shared.reference import regions

router = APIRouter(prefix="/api/v1", tags=["views"])
VIEW_PROBLEMS = problem_responses(401, 403, 422, 502, 504)
Year = Annotated[int | None, Query(ge=2000, le=2100, description="A calendar year")]
AnyRegion = Annotated[
    RegionCode | None, Query(description="Default: your region, or the whole country")
]


async def _gather(request: Request, principal: Principal, parts: dict[str, Part]) -> Gathered:
    fanout: FanOut = request.app.state.fanout
    gathered = await fanout.gather(principal, parts)
    gathered.raise_if_empty()
    return gathered


@contextmanager
def _readable() -> Iterator[None]:
    """A service answering figures of another shape than its contract (a version skew) is a
    bad gateway, said as such, never a 500."""
    try:
        yield
    except (KeyError, TypeError, ValueError) as exc:
        raise ProblemError(
            502,
            "unreadable_figures",
            slug="upstream-error",
        ) from exc


@router.get(
    "/dashboard",
    response_model=dashboard.Dashboard,
    name="dashboard",
    responses={304: {"description": "Not modified (If-None-Match)"}, **VIEW_PROBLEMS},
)
async def get_dashboard(
    request: Request, principal: ViewReader, region: AnyRegion = None, year: Year = None
) -> Response:
    """The programme at a glance: providers, published offers and open seats; associations,
    people supported, exits and positive outcomes by type; partners, events held, attendance,
    agreements and their progress. Every year unless `year` is given."""
    region = view_region(principal, region)
    gathered = await _gather(request, principal, dashboard.parts(region, year))
    with _readable():
        view = dashboard.dashboard(region, year, gathered)
    return conditional(request, view)


@router.get(
    "/adequacy",
    response_model=adequacy.Adequacy,
    name="adequacy",
    responses={
        200: {
            "content": {"text/csv": {}, "text/html": {}},
            "description": "The review (JSON; CSV or a printable page with `format`)",
        },
        304: {"description": "Not modified (If-None-Match)"},
        **VIEW_PROBLEMS,
    },
)
async def get_adequacy(
    request: Request,
    principal: ViewReader,
    region: AnyRegion = None,
    year: Year = None,
    format: Annotated[
        Literal["json", "csv", "html"],
        Query(description="`csv`: one table per block; `html`: a printable page"),
    ] = "json",
    lang: Annotated[
        report.Language, Query(description="The printable page's language (`ar`: right to left)")
    ] = "fr",
) -> Response:
    """The regional employment/training adequacy review in the Torino Process's blocks:
    labour-market demand per sector (supply, positions, placements, coverage, tension), inclusion
    demand, internal efficiency, governance and partnership, the region's totals and their change
    on the previous year. The method, formulas and thresholds, in French, Arabic and English:
    [/api/v1/adequacy/method](/api/v1/adequacy/method)."""
    region = view_region(principal, region)
    year = year or utcnow().year
    gathered = await _gather(request, principal, adequacy.parts(region, year))
    with _readable():
        review = adequacy.review(region, year, gathered)
    if format == "csv":
        name = f"adequacy-{region or 'national'}-{year}.csv"
        return conditional_content(
            request,
            report.to_csv(review).encode(),
            "text/csv; charset=utf-8",
            {"Content-Disposition": f'attachment; filename="{name}"'},
        )
    if format == "html":
        return conditional_content(
            request,
            report.to_html(review, lang).encode(),
            "text/html; charset=utf-8",
            {"Content-Language": lang},
        )
    return conditional(request, review)


@router.get(
    "/regions/{code}/profile",
    response_model=profile.Profile,
    name="region-profile",
    responses={
        304: {"description": "Not modified (If-None-Match)"},
        **VIEW_PROBLEMS,
        **problem_responses(404),
    },
)
async def get_region_profile(
    request: Request,
    principal: ViewReader,
    code: Annotated[str, Path(description="The region's code (`01` to `12`)")],
) -> Response:
    """One region for a front-end page: its training offer, associations and people supported,
    networks, the next events, and the headline of this year's adequacy review."""
    region = next((r for r in regions() if r.code == code), None)
    if region is None or not may_view(principal, code):
        raise not_found("region", code)
    year = utcnow().year
    gathered = await _gather(request, principal, profile.parts(code, year))
    with _readable():
        view = profile.profile(region, year, gathered)
    return conditional(request, view)
