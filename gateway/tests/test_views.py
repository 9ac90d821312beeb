"""The regional views at the gateway: whose regions they are about, and a service answering
figures of another shape than its contract (a version skew) is a 502 problem, never a 500."""

from __future__ import annotations

from contextlib import AsyncExitStack

import pytest
from pydantic import AnyHttpUrl

from gateway.views.scope import may_view, view_region
from shared.principal import Role
from shared.problems import ProblemError
from shared.testing import make_principal, serve

from .conftest import OpenGateway
from .helpers import signed_in_headers
from .test_fanout import Upstream

VIEWER = make_principal(role=Role.VIEWER)
NORTH = make_principal(role=Role.REGIONAL_COORDINATOR, regions=["01"])
BOTH = make_principal(role=Role.REGIONAL_COORDINATOR, regions=["01", "02"])
CLIENT = make_principal(kind="client", scopes=["beneficiaries:stats"], regions=["02"])


def test_the_region_of_a_view_is_within_the_callers() -> None:
    assert view_region(VIEWER, None) is None  # the whole country
    assert view_region(VIEWER, "07") == "07"
    assert view_region(NORTH, None) == "01"  # its only region
    assert view_region(BOTH, "02") == "02"
    assert view_region(CLIENT, None) == "02"
    with pytest.raises(ProblemError) as refused:
        view_region(NORTH, "02")
    assert refused.value.status == 403
    assert "01" in str(refused.value)
    with pytest.raises(ProblemError) as unnamed:
        view_region(BOTH, None)
    assert unnamed.value.status == 422
    assert [error.field for error in unnamed.value.errors or []] == ["query.region"]
    assert may_view(VIEWER, "12")
    assert may_view(NORTH, "01")
    assert not may_view(NORTH, "02")
    assert not may_view(CLIENT, "01")


async def test_figures_of_another_shape_are_a_bad_gateway(open_gateway: OpenGateway) -> None:
    # The test upstreams answer {"path": ..., "query": ...}: JSON, but not the figures.
    urls = {}
    async with AsyncExitStack() as stack:
        for service in ("offers", "beneficiaries", "network"):
            url = await stack.enter_async_context(serve(Upstream(), lifespan="off"))
            urls[f"{service}_url"] = AnyHttpUrl(url)
        app, client = await stack.enter_async_context(open_gateway(**urls))
        viewer = await signed_in_headers(app, client, "viewer@example.org", Role.VIEWER)
        for path in (
            "/api/v1/dashboard",
            "/api/v1/adequacy?year=2026",
            "/api/v1/regions/01/profile",
        ):
            response = await client.get(path, headers=viewer)
            assert response.status_code == 502, response.text
            assert response.headers["content-type"] == "application/problem+json"
            assert "cannot read" in response.json()["detail"]
