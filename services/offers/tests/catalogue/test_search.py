"""Search and filters on /v1/offers: accent-insensitive French, Arabic, every filter, sorting and
keyset pagination."""

from __future__ import annotations

from typing import Any

from ..helpers import Api, problem_fields


async def ids(api: Api, path: str = "/v1/offers", **params: Any) -> list[str]:
    response = await api.request("GET", path, params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def test_french_search_ignores_accents_and_case(api: Api) -> None:
    electricity = await api.offer(title_fr="Électricité du bâtiment")
    await api.offer(title_fr="Cuisine marocaine", title_ar="الطبخ المغربي")
    for query in ("electricite", "ÉLECTRICITÉ", "electr batim", "Electricité  DU"):
        assert await ids(api, q=query) == [electricity["id"]], query
    assert await ids(api, q="electricite cuisine") == []


async def test_arabic_titles_match_whatever_the_spelling(api: Api) -> None:
    electricity = await api.offer(title_fr="Électricité", title_ar="الكهرباء المنزليّة")
    repair = await api.offer(title_fr="Mécanique automobile", title_ar="إصلاح السيارات")
    assert await ids(api, q="الكهرباء") == [electricity["id"]]
    assert await ids(api, q="الْكَهْرَبَاء") == [electricity["id"]]  # with short vowels
    assert await ids(api, q="المنزلية") == [electricity["id"]]  # shadda left out
    assert await ids(api, q="اصلاح") == [repair["id"]]  # hamza left out
    assert await ids(api, q="السيارات") == [repair["id"]]


async def test_search_covers_the_provider_name(api: Api) -> None:
    provider = await api.provider(name="Institut Hôtelier de Tanger")
    offer = await api.offer(provider["id"], title_fr="Cuisine marocaine")
    assert await ids(api, q="hotelier cuisine") == [offer["id"]]


async def test_filters(api: Api) -> None:
    tangier = await api.provider(name="Centre de Tanger", region="01", province="01.511")
    oujda = await api.provider(name="Centre d'Oujda", region="02", province="02.411")
    building = await api.offer(
        tangier["id"],
        sector="construction",
        isced_field="07",
        mode="work_based",
        target_publics=["women"],
        cost_mad=0,
    )
    digital = await api.offer(
        oujda["id"],
        title_fr="Développement web",
        sector="offshoring_digital",
        isced_field="06",
        mode="remote",
        target_publics=["all"],
        cost_mad=5000,
    )
    rural = await api.offer(
        oujda["id"],
        title_fr="Tourisme rural",
        sector="tourism",
        isced_field="10",
        mode="in_person",
        target_publics=["rural"],
        cost_mad=0,
    )
    assert await ids(api, region="01") == [building["id"]]
    assert await ids(api, province="02.411", sort="title") == [digital["id"], rural["id"]]
    assert await ids(api, sector="offshoring_digital") == [digital["id"]]
    assert await ids(api, isced="10") == [rural["id"]]
    assert await ids(api, mode="work_based") == [building["id"]]
    # An offer for everyone is also for women.
    assert set(await ids(api, public="women")) == {building["id"], digital["id"]}
    assert await ids(api, public="all") == [digital["id"]]
    assert set(await ids(api, free="true")) == {building["id"], rural["id"]}
    assert await ids(api, free="false") == [digital["id"]]
    assert await ids(api, provider_id=tangier["id"]) == [building["id"]]
    assert await ids(api, region="02", free="true", public="rural") == [rural["id"]]


async def test_session_filters_hold_for_one_same_session(api: Api) -> None:
    spring = await api.offer(title_fr="Printemps")
    autumn = await api.offer(title_fr="Automne")
    await api.session(spring["id"], start_date="2027-03-01", end_date="2027-04-30", status="open")
    await api.session(
        autumn["id"], start_date="2027-09-01", end_date="2027-10-30", status="open", seats_total=1
    )
    await api.session(
        autumn["id"], start_date="2027-03-15", end_date="2027-04-30", status="cancelled"
    )
    assert await ids(api, starts_after="2027-02-01", starts_before="2027-03-31") == [spring["id"]]
    assert await ids(api, starts_after="2027-08-01") == [autumn["id"]]
    assert set(await ids(api, has_seats="true")) == {spring["id"], autumn["id"]}
    full = (
        await api.request(
            "GET", "/v1/sessions", params={"offer_id": autumn["id"], "status": "open"}
        )
    ).json()
    key = {"Idempotency-Key": "fill-autumn"}
    reserved = await api.request(
        "POST", f"/v1/sessions/{full['items'][0]['id']}/reservations", headers=key
    )
    assert reserved.status_code == 201
    assert await ids(api, has_seats="true") == [spring["id"]]
    assert await ids(api, has_seats="false") == [autumn["id"]]
    # Both conditions must hold for the same session: autumn's open session starts in September.
    assert await ids(api, has_seats="true", starts_after="2027-08-01") == []


async def test_updated_since_and_status(api: Api) -> None:
    old = await api.offer(title_fr="Ancienne offre")
    new = await api.offer(title_fr="Nouvelle offre", publish=False)
    assert await ids(api, updated_since=new["updated_at"]) == [new["id"]]
    assert set(await ids(api, updated_since=old["created_at"])) == {old["id"], new["id"]}
    assert await ids(api, status="draft") == [new["id"]]
    naive = await api.request("GET", "/v1/offers", params={"updated_since": "2026-01-01T00:00:00"})
    assert problem_fields(naive) == ["query.updated_since"]


async def test_bad_query_parameters_are_named(api: Api) -> None:
    cases = {
        "region": "99",
        "province": "tetouan",
        "sector": "banking",
        "isced": "42",
        "mode": "online",
        "public": "pensioners",
        "free": "maybe",
        "starts_after": "tomorrow",
        "has_seats": "many",
        "provider_id": "7",
        "min_quality": "101",
        "sort": "price",
        "limit": "0",
        "cursor": "not-a-cursor",
    }
    for name, value in cases.items():
        response = await api.request("GET", "/v1/offers", params={name: value})
        assert problem_fields(response) == [f"query.{name}"], name


async def test_sorting_and_keyset_pagination(api: Api) -> None:
    provider = await api.provider()
    titles = ["Zellige", "Électricité", "ébénisterie", "Agriculture", "Boulangerie"]
    created = {title: await api.offer(provider["id"], title_fr=title) for title in titles}
    by_title = await ids(api, sort="title", limit=50)
    expected = ["Agriculture", "Boulangerie", "ébénisterie", "Électricité", "Zellige"]
    assert by_title == [created[t]["id"] for t in expected]
    walked: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"sort": "title", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await api.request("GET", "/v1/offers", params=params)).json()
        walked += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert walked == by_title
    assert pages == 3
    recent = await ids(api, sort="-updated")
    assert recent == list(reversed(await ids(api, sort="updated")))
    other_order = await api.request(
        "GET",
        "/v1/offers",
        params={
            "sort": "updated",
            "cursor": (
                await api.request("GET", "/v1/offers", params={"sort": "title", "limit": 1})
            ).json()["next_cursor"],
        },
    )
    assert problem_fields(other_order) == ["query.cursor"]


async def test_sort_by_start_date_puts_offers_without_sessions_last(api: Api) -> None:
    later = await api.offer(title_fr="Plus tard")
    sooner = await api.offer(title_fr="Bientôt")
    none = await api.offer(title_fr="Sans session")
    await api.session(later["id"], start_date="2027-05-01", end_date="2027-06-30")
    await api.session(sooner["id"], start_date="2027-02-01", end_date="2027-03-30")
    assert await ids(api, sort="start_date") == [sooner["id"], later["id"], none["id"]]
    offer = (await api.request("GET", f"/v1/offers/{sooner['id']}")).json()
    assert offer["next_session_start_date"] == "2027-02-01"
