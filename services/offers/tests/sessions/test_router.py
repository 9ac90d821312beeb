"""Sessions: coherent dates and counts, scope through the offer, filters, versions."""

from __future__ import annotations

from typing import Any

from shared.principal import ANONYMOUS, Role
from shared.testing import make_principal

from ..helpers import Api, problem_fields


def session_body(offer_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "offer_id": offer_id,
        "start_date": "2027-02-01",
        "end_date": "2027-06-30",
        "region": "01",
        "seats_total": 20,
        **fields,
    }


async def test_create_and_read(api: Api) -> None:
    offer = await api.offer()
    session = await api.session(offer["id"], schedule="Lun–Ven 9h–13h")
    assert session["seats_reserved"] == 0
    assert session["seats_remaining"] == 20
    assert session["offer"]["title_fr"] == offer["title_fr"]
    read = await api.request("GET", f"/v1/sessions/{session['id']}")
    assert read.headers["etag"] == '"1"'
    assert read.json()["schedule"] == "Lun–Ven 9h–13h"


async def test_invalid_fields_are_named(api: Api) -> None:
    offer = await api.offer()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"end_date": "2027-01-01"}, "body.end_date"),
        ({"registration_deadline": "2027-07-01"}, "body.registration_deadline"),
        ({"start_date": "0202-02-01"}, "body.start_date"),
        ({"start_date": "2027-02-30"}, "body.start_date"),
        ({"province": "02.411"}, "body.province"),
        ({"region": "1"}, "body.region"),
        ({"seats_total": 0}, "body.seats_total"),
        ({"status": "full"}, "body.status"),
        ({"status": "postponed"}, "body.status"),
        ({"enrolled": 10}, "body.enrolled"),
        ({"status": "completed", "enrolled": 10, "completed": 12}, "body.completed"),
        ({"status": "completed", "completed": 5, "certified": 6}, "body.certified"),
        ({"seats_reserved": 3}, "body.seats_reserved"),
    ]
    for change, field in cases:
        response = await api.request(
            "POST", "/v1/sessions", json=session_body(offer["id"]) | change
        )
        assert field in problem_fields(response), (change, response.text)


async def test_sessions_follow_their_offer_scope(api: Api) -> None:
    provider = await api.provider()
    draft = await api.offer(provider["id"], publish=False)
    session = await api.session(draft["id"])
    anonymous = api.headers(ANONYMOUS)
    assert (
        await api.client.get(f"/v1/sessions/{session['id']}", headers=anonymous)
    ).status_code == 404
    assert (await api.client.get("/v1/sessions", headers=anonymous)).json()["items"] == []
    staff = make_principal(role=Role.PROVIDER_STAFF, provider_id=provider["id"], regions=("01",))
    other_staff = make_principal(
        role=Role.PROVIDER_STAFF,
        provider_id=(await api.provider(name="Autre"))["id"],
        regions=("01",),
    )
    assert (await api.request("GET", f"/v1/sessions/{session['id']}", staff)).status_code == 200
    assert (
        await api.request(
            "PATCH", f"/v1/sessions/{session['id']}", other_staff, json={"seats_total": 5}
        )
    ).status_code == 404
    refused = await api.request("POST", "/v1/sessions", other_staff, json=session_body(draft["id"]))
    assert problem_fields(refused) == ["body.offer_id"]
    await api.request("POST", f"/v1/offers/{draft['id']}/publish")
    listed = await api.client.get("/v1/sessions", headers=anonymous)
    assert [s["id"] for s in listed.json()["items"]] == [session["id"]]


async def test_updates_check_the_merged_record_and_versions(api: Api) -> None:
    offer = await api.offer()
    session = await api.session(offer["id"], seats_total=2)
    path = f"/v1/sessions/{session['id']}"
    early_end = await api.request("PATCH", path, json={"end_date": "2027-01-15"})
    assert problem_fields(early_end) == ["body.end_date", "body.registration_deadline"]
    await api.request(
        "POST", f"{path}/reservations", headers={"Idempotency-Key": "a"}, json={"seats": 2}
    )
    shrunk = await api.request("PATCH", path, json={"seats_total": 1})
    assert problem_fields(shrunk) == ["body.seats_total"]
    current = (await api.request("GET", path)).json()
    assert current["version"] == 2  # the reservation moved it on
    stale = await api.request("PATCH", path, json={"seats_total": 30}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    grown = await api.request("PATCH", path, json={"seats_total": 30}, headers={"If-Match": '"2"'})
    assert grown.status_code == 200
    assert grown.json()["seats_remaining"] == 28
    reported = await api.request(
        "PATCH", path, json={"status": "completed", "enrolled": 2, "completed": 2, "certified": 1}
    )
    assert reported.status_code == 200
    assert (await api.request("DELETE", path)).status_code == 409


async def test_offer_follows_its_sessions(api: Api) -> None:
    offer = await api.offer()
    first = await api.session(offer["id"], start_date="2027-03-01", end_date="2027-05-01")
    await api.session(offer["id"], start_date="2027-09-01", end_date="2027-11-01")
    path = f"/v1/offers/{offer['id']}"
    assert (await api.request("GET", path)).json()["next_session_start_date"] == "2027-03-01"
    await api.request("PATCH", f"/v1/sessions/{first['id']}", json={"status": "cancelled"})
    assert (await api.request("GET", path)).json()["next_session_start_date"] == "2027-09-01"


async def test_filters_and_sort(api: Api) -> None:
    tetouan = await api.offer(title_fr="Zellige", sector="crafts")
    oujda = await api.offer(title_fr="Agriculture", sector="agriculture_agrifood")
    late = await api.session(
        tetouan["id"],
        start_date="2027-05-01",
        end_date="2027-06-30",
        region="01",
        province="01.571",
    )
    early = await api.session(
        oujda["id"],
        start_date="2027-02-01",
        end_date="2027-03-30",
        region="02",
        province="02.411",
        status="planned",
    )

    async def ids(**params: Any) -> list[str]:
        response = await api.request("GET", "/v1/sessions", params=params)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert await ids() == [early["id"], late["id"]]
    assert await ids(sort="title") == [early["id"], late["id"]]
    assert await ids(region="02") == [early["id"]]
    assert await ids(province="01.571") == [late["id"]]
    assert await ids(sector="crafts") == [late["id"]]
    assert await ids(q="zellige") == [late["id"]]
    assert await ids(starts_after="2027-04-01") == [late["id"]]
    assert await ids(starts_before="2027-04-01") == [early["id"]]
    assert await ids(has_seats="true") == [late["id"]]
    assert await ids(status="planned") == [early["id"]]
    assert await ids(offer_id=oujda["id"]) == [early["id"]]
    assert await ids(updated_since=early["updated_at"]) == [early["id"]]
    walked = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 1, "sort": "title"}
        if cursor:
            params["cursor"] = cursor
        page = (await api.request("GET", "/v1/sessions", params=params)).json()
        walked += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert walked == [early["id"], late["id"]]
    assert problem_fields(
        await api.request("GET", "/v1/sessions", params={"starts_after": "demain"})
    ) == ["query.starts_after"]
