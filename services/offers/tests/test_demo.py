"""Demo data: the pilot's training offer for `make run` and the national one for benchmarks,
loaded through the import into both databases, the same on every run, once."""

from __future__ import annotations

from typing import Any

import httpx2
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from offers import demo
from offers.exchange.schemas import ImportMode
from shared.db import create_sessionmaker
from shared.demo import DEMO_PROVIDER_ID, DEMO_SECTORS, SIZES, Scale, catalogue
from shared.principal import Role
from shared.reference import region_codes
from shared.testing import Keys, SecondDatabase, digest, every_item, make_principal, two_runs

from .helpers import Api

PILOT = catalogue(SIZES[Scale.PILOT])
LISTS = ("/v1/providers", "/v1/offers", "/v1/sessions")


async def _all(api: Api, path: str, **params: Any) -> list[dict[str, Any]]:
    return await every_item(api.request, path, **params)


async def _records(api: Api) -> dict[str, list[dict[str, Any]]]:
    return {path: await _all(api, path) for path in LISTS}


def _digest(records: dict[str, list[dict[str, Any]]]) -> str:
    """A digest of the records without their times (``*_at``: all a second run may change)."""
    return digest(records, lambda path, name: name.endswith("_at"))


async def test_the_pilot_catalogue_loads_once(
    app: FastAPI, api: Api, database_url: str, engine: AsyncEngine
) -> None:
    await demo.seed(database_url)
    records = await _records(api)
    providers, offers, sessions = records.values()
    assert len(providers) == len(PILOT.providers) >= 40
    assert len(offers) == len(PILOT.offers) >= 150
    assert {offer["region"] for offer in offers} == {"01", "02"}
    assert {record["status"] for record in offers + providers} == {"published"}
    with_arabic = [offer for offer in offers if offer["title_ar"]]
    assert len(with_arabic) > 0.75 * len(offers)
    assert len(with_arabic) < len(offers)  # and a few without, as in real files
    # The sessions are the catalogue's, under the ids the beneficiaries demo refers to.
    assert {session["id"] for session in sessions} == {str(s.id) for s in PILOT.sessions}
    assert {session["offer"]["sector"] for session in sessions} == set(DEMO_SECTORS)
    finished = [s for s in sessions if s["start_date"] < "2022"]
    upcoming = [s for s in sessions if s["start_date"] >= "2022"]
    assert {s["status"] for s in finished} == {"completed"}
    assert {s["status"] for s in upcoming} == {"open"}
    assert all(s["registration_deadline"] < s["start_date"] for s in upcoming)
    for session in finished:
        assert session["seats_total"] >= session["enrolled"] >= session["completed"]
        assert session["completed"] >= session["certified"]

    def ratio(part: str, whole: str) -> float:
        return sum(int(s[part]) for s in finished) / sum(int(s[whole]) for s in finished)

    assert 0.7 < ratio("enrolled", "seats_total") < 0.9
    assert 0.65 < ratio("completed", "enrolled") < 0.85
    assert 0.75 < ratio("certified", "completed") < 0.95

    # An Arabic search finds the offers of that trade.
    solar = await _all(api, "/v1/offers", q="الشمسية")
    assert solar
    assert {offer["sector"] for offer in solar} == {"renewable_energy"}
    # The gateway's demo provider account works for the first provider and owns its offers.
    staff = make_principal(role=Role.PROVIDER_STAFF, provider_id=DEMO_PROVIDER_ID)
    provider = (await api.request("GET", f"/v1/providers/{DEMO_PROVIDER_ID}", staff)).json()
    assert provider["external_id"] == demo.DEMO_PROVIDER_EXTERNAL_ID == PILOT.providers[0].key
    assert provider["region"] == "01"
    own = await api.request("GET", "/v1/offers", staff, params={"provider_id": provider["id"]})
    expected = {o.key for o in PILOT.offers if o.provider_key == PILOT.providers[0].key}
    assert {o["external_id"] for o in own.json()["items"]} == expected

    # A second seed changes nothing; importing it all again finds every record unchanged.
    await demo.seed(database_url)
    assert _digest(await _records(api)) == _digest(records)
    again = await demo.load(create_sessionmaker(engine), PILOT)
    assert (again.error_count, again.committed) == (0, True)
    assert again.mode is ImportMode.KEEP_VALID
    assert again.providers.unchanged == len(PILOT.providers)
    assert again.offers.unchanged == len(PILOT.offers)
    assert again.sessions.unchanged == len(PILOT.sessions)


async def test_two_fresh_databases_get_the_same_records(
    app: FastAPI, api: Api, database_url: str, keys: Keys, second_database: SecondDatabase
) -> None:
    async def read(client: httpx2.AsyncClient) -> dict[str, list[dict[str, Any]]]:
        return await _records(Api(client, keys))

    first, second = await two_runs(demo.seed, read, database_url, api.client, second_database)
    assert _digest(first) == _digest(second)


async def test_the_national_shape_covers_every_region(
    app: FastAPI, api: Api, database_url: str
) -> None:
    # The smallest fraction with a provider in each region.
    sizes = SIZES[Scale.NATIONAL].scaled(0.003)
    await demo.seed(database_url, Scale.NATIONAL, sizes=sizes)
    plan = catalogue(sizes)
    providers, offers, sessions = (await _records(api)).values()
    assert len(providers) == sizes.providers == 12
    assert (len(offers), len(sessions)) == (sizes.offers, len(plan.sessions))
    assert {session["id"] for session in sessions} == {str(s.id) for s in plan.sessions}
    assert {provider["region"] for provider in providers} == region_codes()
    assert {offer["region"] for offer in offers} == region_codes()
