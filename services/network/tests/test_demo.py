"""Demo data: the pilot's networks for `make run` and the national shape for benchmarks, loaded
into both databases, the same on every run, once."""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx2
from fastapi import FastAPI

from network import demo
from network.institution_models.programme import CHARTER_MODEL_ID, PUBLIC_MANDATE_MODEL_ID
from shared.demo import SIZES, Scale
from shared.reference import region_codes
from shared.testing import Keys, SecondDatabase, digest, every_item, two_runs

from .helpers import Api, ids, partner_member

LISTS = (
    "/v1/partners",
    "/v1/networks",
    "/v1/working-groups",
    "/v1/events",
    "/v1/agreements",
    "/v1/labour-needs",
    "/v1/action-items",
)
# Lists whose records' ids are drawn at random by the services (partners, networks and working
# groups of the demo have fixed ids).
RANDOM_IDS = {"/v1/events", "/v1/agreements", "/v1/labour-needs", "/v1/action-items"}


async def _all(api: Api, path: str, **params: Any) -> list[dict[str, Any]]:
    return await every_item(api.request, path, **params)


async def _records(api: Api) -> dict[str, list[dict[str, Any]]]:
    return {path: await _all(api, path) for path in LISTS}


def _changing(path: str, name: str) -> bool:
    """What may differ between two runs: timestamps, calendar tokens, random ids."""
    if name in {"created_at", "updated_at", "calendar_url"}:
        return True
    return path in RANDOM_IDS and name in {"id", "event_id", "decision_id", "agreement_id"}


def _digest(records: dict[str, list[dict[str, Any]]]) -> str:
    return digest(records, _changing)


async def test_the_pilot_networks_load_once(app: FastAPI, api: Api, database_url: str) -> None:
    await demo.seed(database_url)
    records = await _records(api)
    partners, networks, groups, events, agreements, needs, _ = records.values()
    assert len(partners) == SIZES[Scale.PILOT].partners >= 80
    assert {p["kind"] for p in partners} >= {
        "company",
        "public_body",
        "training_institution",
        "association",
        "chamber",
    }
    by_region = {n["region"]: n for n in networks}
    assert len(networks) == 2
    assert by_region["01"]["id"] == str(demo.TANGER_NETWORK_ID)
    assert by_region["01"]["model_id"] == str(PUBLIC_MANDATE_MODEL_ID)
    assert by_region["02"]["id"] == str(demo.ORIENTAL_NETWORK_ID)
    assert by_region["02"]["model_id"] == str(CHARTER_MODEL_ID)
    assert len(groups) == 2 * demo.GROUPS_PER_NETWORK

    # The pilot's history: events over its 46 months, attended, with decisions and action items.
    past = [e for e in events if "2017-08" <= e["starts_at"][:7] <= "2021-05"]
    assert len(past) >= 60
    months = {e["starts_at"][:7] for e in past}
    assert min(months) == "2017-08"
    assert max(months) == "2021-05"
    assert len(months) >= 40
    assert {e["kind"] for e in past} == {
        "meeting",
        "seminar",
        "training",
        "workshop",
        "study_visit",
    }
    held = [e for e in past if e["status"] == "held"]
    attended = [await _all(api, f"/v1/events/{event['id']}/attendance") for event in held[-10:]]
    assert all(attended)
    items = await _all(api, "/v1/action-items")
    assert {item["status"] for item in items} == {"done", "open", "cancelled"}
    assert await _all(api, "/v1/action-items", overdue="true")
    # Agreements with commitments per sector and progress reported on them.
    assert len(agreements) >= 10
    commitments = [c for agreement in agreements for c in agreement["commitments"]]
    assert {c["unit"] for c in commitments} >= {"internships", "hires", "trainees"}
    assert all(c["achieved"] > 0 for c in commitments)
    # Labour needs declared over the pilot's years, and some for now.
    years = {need["horizon"][:4] for need in needs}
    assert years >= {"2017", "2018", "2019", "2020", "2021"}
    assert years & {"2026", "2027"}
    assert {need["region"] for need in needs} == {"01", "02"}

    # The gateway's demo partner account sees its partner, its network, its needs.
    member = partner_member(str(demo.DEMO_PARTNER_ID))
    own = await api.request("GET", f"/v1/partners/{demo.DEMO_PARTNER_ID}", member)
    assert own.json()["name"] == "Confections du Détroit SARL"
    assert ids(await api.request("GET", "/v1/networks", member)) == [str(demo.TANGER_NETWORK_ID)]
    assert len(ids(await api.request("GET", "/v1/labour-needs", member))) == 2

    await demo.seed(database_url)
    assert _digest(await _records(api)) == _digest(records)


async def test_two_fresh_databases_get_the_same_records(
    app: FastAPI, api: Api, database_url: str, keys: Keys, second_database: SecondDatabase
) -> None:
    async def read(client: httpx2.AsyncClient) -> dict[str, list[dict[str, Any]]]:
        return await _records(Api(client, keys))

    first, second = await two_runs(demo.seed, read, database_url, api.client, second_database)
    assert _digest(first) == _digest(second)


async def test_the_national_shape_has_a_network_in_every_region(
    app: FastAPI, api: Api, database_url: str
) -> None:
    sizes = dataclasses.replace(SIZES[Scale.NATIONAL].scaled(0.01), networks=12)
    await demo.seed(database_url, Scale.NATIONAL, sizes=sizes)
    partners, networks, groups, events, agreements, needs, _ = (await _records(api)).values()
    assert len(partners) == sizes.partners
    assert {network["region"] for network in networks} == region_codes()
    assert len(networks) == 12
    for records in (partners, needs):
        assert {region for record in records for region in _regions(record)} == region_codes()
    assert {event["region"] for event in events if event["starts_at"] < "2022"} == region_codes()
    assert len([event for event in events if event["starts_at"] < "2022"]) == sizes.events


def _regions(record: dict[str, Any]) -> list[str]:
    return record["regions"] if "regions" in record else [record["region"]]
