"""Demo data for ``make run``: the gateway's demo manager and counsellor find their people."""

from __future__ import annotations

from uuid import UUID

from beneficiaries import demo
from beneficiaries.settings import Settings
from shared.principal import Role
from shared.settings import Environment

from .helpers import Api, staff


async def test_demo_data_loads_once_for_the_demo_accounts(api: Api, database_url: str) -> None:
    # gateway/src/gateway/demo.py binds the demo manager and counsellor to this id.
    assert UUID("6f1c2a4e-0d51-4c8e-9b0a-5a3e1d7c0001") == demo.DEMO_ASSOCIATION_ID
    settings = Settings(environment=Environment.TEST)
    assert await demo.seed(database_url, settings=settings)
    assert not await demo.seed(database_url, settings=settings)
    for role in (Role.COUNSELLOR, Role.ASSOCIATION_MANAGER):
        member = staff(role, demo.DEMO_ASSOCIATION_ID)
        listed = (await api.request("GET", "/v1/beneficiaries", member)).json()["items"]
        assert len(listed) == len(demo.PEOPLE)
        assert {p["journey_stage"] for p in listed} == {
            "intake",
            "diagnosis",
            "training",
            "job_search",
        }
    association = await api.request("GET", f"/v1/associations/{demo.DEMO_ASSOCIATION_ID}")
    assert association.json()["region"] == "01"
    person = listed[0]
    read = (await api.request("GET", f"/v1/beneficiaries/{person['id']}", member)).json()
    assert read["consents"]
