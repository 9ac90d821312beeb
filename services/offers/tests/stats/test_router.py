"""/v1/stats/supply: per sector, the offers, sessions, seats and reported outcomes."""

from __future__ import annotations

from typing import Any

from shared.principal import ANONYMOUS

from ..helpers import Api, problem_fields


async def supply(api: Api, **params: Any) -> dict[str, Any]:
    response = await api.client.get(
        "/v1/stats/supply", params=params, headers=api.headers(ANONYMOUS)
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def sector(result: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in result["sectors"] if s["sector"] == name)
    return found


async def test_supply_per_sector(api: Api) -> None:
    crafts = await api.offer(sector="crafts")
    await api.session(crafts["id"], region="01", seats_total=10, start_date="2027-02-01")
    await api.session(
        crafts["id"],
        region="01",
        seats_total=12,
        start_date="2026-02-01",
        end_date="2026-06-30",
        registration_deadline=None,
        status="completed",
        enrolled=12,
        completed=10,
        certified=9,
    )
    await api.session(
        crafts["id"], region="02", province=None, seats_total=8, start_date="2027-03-01"
    )
    await api.session(crafts["id"], region="01", seats_total=99, status="cancelled")
    tourism = await api.offer(sector="tourism")
    await api.session(tourism["id"], region="01", seats_total=15, start_date="2027-05-01")
    draft = await api.offer(sector="tourism", publish=False)
    await api.session(draft["id"], region="01", seats_total=50)

    everything = await supply(api)
    assert len(everything["sectors"]) == 13
    assert sector(everything, "crafts") == {
        "sector": "crafts",
        "offers": 1,
        "sessions": 3,
        "seats": 30,
        "enrolled": 12,
        "completed": 10,
        "certified": 9,
        "sessions_reporting": 1,
    }
    assert sector(everything, "tourism")["seats"] == 15
    assert everything["totals"]["sessions"] == 4
    assert everything["totals"]["offers"] == 2

    region_year = await supply(api, region="01", year=2027)
    assert region_year["region"] == "01"
    assert region_year["year"] == 2027
    assert sector(region_year, "crafts")["sessions"] == 1
    assert sector(region_year, "crafts")["seats"] == 10
    assert sector(region_year, "crafts")["enrolled"] == 0
    assert region_year["totals"]["seats"] == 25
    assert sector(await supply(api, year=2026), "crafts")["certified"] == 9
    assert (await supply(api, region="05"))["totals"]["offers"] == 0


async def test_bad_parameters_are_named(api: Api) -> None:
    for params, field in (({"region": "99"}, "query.region"), ({"year": "1990"}, "query.year")):
        response = await api.request("GET", "/v1/stats/supply", params=params)
        assert problem_fields(response) == [field]


def kind(result: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        k for k in result["by_provider_kind"] if k["provider_kind"] == name
    )
    return found


async def test_supply_per_provider_kind_and_the_catalogue_today(api: Api) -> None:
    institute = await api.provider(kind="public_institute")
    association = await api.provider(kind="association", region="02", province=None)
    await api.provider(kind="company", publish=False)
    welding = await api.offer(institute["id"], sector="construction")
    sewing = await api.offer(association["id"], sector="textile")
    await api.session(welding["id"], seats_total=20, province="01.571")
    await api.session(welding["id"], seats_total=10, province="01.511", status="planned")
    await api.session(
        welding["id"],
        seats_total=16,
        start_date="2026-02-01",
        end_date="2026-06-30",
        registration_deadline=None,
        status="completed",
        enrolled=16,
        completed=12,
        certified=12,
    )
    await api.session(sewing["id"], region="02", province=None, seats_total=14)

    everything = await supply(api)
    assert kind(everything, "public_institute")["sessions"] == 3
    assert kind(everything, "public_institute")["completed"] == 12
    assert kind(everything, "association")["seats"] == 14
    assert kind(everything, "company")["sessions"] == 0
    catalogue = everything["catalogue"]
    # The completed session has started: it has no open seats; the unpublished provider is left out.
    assert (catalogue["providers"], catalogue["published_offers"]) == (2, 2)
    assert (catalogue["open_sessions"], catalogue["free_seats"]) == (3, 44)
    assert catalogue["by_province"] == [
        {"province": "01.511", "sessions": 1, "free_seats": 10},
        {"province": "01.571", "sessions": 1, "free_seats": 20},
        {"province": None, "sessions": 1, "free_seats": 14},
    ]
    tanger = (await supply(api, region="01"))["catalogue"]
    assert (tanger["providers"], tanger["published_offers"], tanger["open_sessions"]) == (1, 1, 2)
