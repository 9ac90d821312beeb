"""Seats: atomic reservations (never oversold, on both databases), idempotent by key, release."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

import httpx2

from shared.principal import ANONYMOUS, Role
from shared.testing import make_principal

from ..helpers import Api, problem_fields

COUNSELLOR = make_principal(role=Role.COUNSELLOR)
ASSOCIATION = UUID("11111111-1111-1111-1111-111111111111")
OTHER_ASSOCIATION = UUID("22222222-2222-2222-2222-222222222222")
NADIA = make_principal(role=Role.COUNSELLOR, regions=("01",), association_id=ASSOCIATION)


async def open_session(api: Api, **fields: Any) -> dict[str, Any]:
    offer = await api.offer()
    return await api.session(offer["id"], status="open", **fields)


async def reserve(
    api: Api, session_id: str, key: str, principal: Any = COUNSELLOR, **body: Any
) -> httpx2.Response:
    return await api.request(
        "POST",
        f"/v1/sessions/{session_id}/reservations",
        principal,
        headers={"Idempotency-Key": key},
        json=body or None,
    )


async def test_fifty_concurrent_reservations_on_ten_seats(api: Api) -> None:
    session = await open_session(api, seats_total=10)
    responses = await asyncio.gather(
        *(reserve(api, session["id"], f"referral-{n}") for n in range(50))
    )
    statuses = [r.status_code for r in responses]
    assert statuses.count(201) == 10
    assert statuses.count(409) == 40
    for refused in (r for r in responses if r.status_code == 409):
        assert refused.headers["content-type"] == "application/problem+json"
        problem = refused.json()
        assert problem["type"].endswith("/no-seats-left")
        assert problem["seats_remaining"] == 0
        assert "0 of 10 left" in problem["detail"]
    after = (await api.request("GET", f"/v1/sessions/{session['id']}")).json()
    assert after["seats_reserved"] == 10
    assert after["status"] == "full"
    assert after["version"] == session["version"] + 10


async def test_a_reservation_is_idempotent_by_its_key(api: Api) -> None:
    session = await open_session(api, seats_total=5)
    first = await reserve(api, session["id"], "referral-42", seats=2)
    assert first.status_code == 201
    again = await reserve(api, session["id"], "referral-42", seats=2)
    assert again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["session_seats_remaining"] == 3
    other_body = await reserve(api, session["id"], "referral-42", seats=1)
    assert problem_fields(other_body) == ["header.idempotency-key"]
    # Concurrent retries of one key also reserve once.
    retries = await asyncio.gather(*(reserve(api, session["id"], "referral-43") for _ in range(8)))
    assert {r.status_code for r in retries} == {201}
    assert len({r.json()["id"] for r in retries}) == 1
    after = (await api.request("GET", f"/v1/sessions/{session['id']}")).json()
    assert after["seats_reserved"] == 3


async def test_release_gives_seats_back_once(api: Api) -> None:
    session = await open_session(api, seats_total=1)
    reservation = (await reserve(api, session["id"], "k1")).json()
    assert (await reserve(api, session["id"], "k2")).status_code == 409
    path = f"/v1/sessions/{session['id']}/reservations/{reservation['id']}"
    releases = await asyncio.gather(*(api.request("DELETE", path, COUNSELLOR) for _ in range(5)))
    assert {r.status_code for r in releases} == {204}
    after = (await api.request("GET", f"/v1/sessions/{session['id']}")).json()
    assert after["seats_reserved"] == 0
    assert after["status"] == "open"
    released = (await api.request("GET", path, COUNSELLOR)).json()
    assert released["status"] == "released"
    assert released["released_at"] is not None
    assert (await reserve(api, session["id"], "k2")).status_code == 201
    # The released key stays used: retrying it replays the released reservation.
    replay = await reserve(api, session["id"], "k1")
    assert replay.json()["status"] == "released"


async def test_reservations_need_an_open_visible_session_and_a_key(api: Api) -> None:
    planned = await open_session(api)
    await api.request("PATCH", f"/v1/sessions/{planned['id']}", json={"status": "planned"})
    not_open = await reserve(api, planned["id"], "a")
    assert not_open.status_code == 409
    assert not_open.json()["type"].endswith("/session-not-open")
    closed = await open_session(api, start_date="2026-12-01", registration_deadline="2026-11-01")
    late = await reserve(api, closed["id"], "b")
    assert late.status_code == 409
    assert late.json()["type"].endswith("/registration-closed")
    draft_offer = await api.offer(publish=False)
    hidden = await api.session(draft_offer["id"], status="open")
    assert (await reserve(api, hidden["id"], "c")).status_code == 404
    no_key = await api.request("POST", f"/v1/sessions/{planned['id']}/reservations", COUNSELLOR)
    assert problem_fields(no_key) == ["header.Idempotency-Key"]
    too_many = await reserve(api, planned["id"], "d", seats=0)
    assert problem_fields(too_many) == ["body.seats"]


async def test_who_may_reserve(api: Api) -> None:
    session = await open_session(api, seats_total=10)
    path = f"/v1/sessions/{session['id']}/reservations"

    async def status(principal: Any) -> int:
        headers = {"Idempotency-Key": str(principal.subject)}
        return (await api.request("POST", path, principal, headers=headers)).status_code

    assert await status(ANONYMOUS) == 401
    assert await status(make_principal(role=Role.PROVIDER_STAFF)) == 403
    assert await status(make_principal(kind="client", scopes=("offers:read",))) == 403
    reserver = make_principal(kind="client", scopes=("offers:reserve",), regions=("01",))
    assert await status(reserver) == 201
    assert await status(make_principal(role=Role.ASSOCIATION_MANAGER)) == 201


async def test_a_key_is_the_callers_own(api: Api) -> None:
    session = await open_session(api, seats_total=5)
    first = await reserve(api, session["id"], "referral-7", NADIA)
    assert first.status_code == 201
    other = make_principal(role=Role.COUNSELLOR, regions=("01",), association_id=OTHER_ASSOCIATION)
    same_key = await reserve(api, session["id"], "referral-7", other, seats=2)
    # Their own new reservation, not the first caller's (nor a 422 for a different body).
    assert same_key.status_code == 201, same_key.text
    assert same_key.json()["id"] != first.json()["id"]
    assert same_key.json()["seats"] == 2
    assert same_key.json()["session_seats_remaining"] == 2
    path = f"/v1/sessions/{session['id']}/reservations/{first.json()['id']}"
    hidden = await api.request("GET", path, other)
    assert hidden.status_code == 404
    assert hidden.headers["content-type"] == "application/problem+json"
    assert (await api.request("DELETE", path, other)).status_code == 404
    mine = await api.request("GET", path, NADIA)
    assert mine.status_code == 200
    assert mine.json()["status"] == "held"
    after = (await api.request("GET", f"/v1/sessions/{session['id']}")).json()
    assert after["seats_reserved"] == 3


async def test_who_may_read_and_release_a_reservation(api: Api) -> None:
    session = await open_session(api, seats_total=5)
    reservations = [(await reserve(api, session["id"], f"r{n}", NADIA)).json() for n in range(3)]
    paths = [f"/v1/sessions/{session['id']}/reservations/{r['id']}" for r in reservations]
    manager = make_principal(
        role=Role.ASSOCIATION_MANAGER, regions=("01",), association_id=ASSOCIATION
    )
    coordinator_01 = make_principal(role=Role.REGIONAL_COORDINATOR, regions=("01",))
    coordinator_02 = make_principal(role=Role.REGIONAL_COORDINATOR, regions=("02",))
    client_01 = make_principal(kind="client", scopes=("offers:reserve",), regions=("01",))
    for outsider in (coordinator_02, client_01, COUNSELLOR):
        assert (await api.request("GET", paths[0], outsider)).status_code == 404
        assert (await api.request("DELETE", paths[0], outsider)).status_code == 404
    assert (await api.request("GET", paths[0], manager)).json()["id"] == reservations[0]["id"]
    assert (await api.request("DELETE", paths[0], manager)).status_code == 204
    assert (await api.request("DELETE", paths[1], coordinator_01)).status_code == 204
    assert (await api.request("DELETE", paths[2], api.admin)).status_code == 204
    released = [(await api.request("GET", path, NADIA)).json()["status"] for path in paths]
    assert released == ["released", "released", "released"]
    after = (await api.request("GET", f"/v1/sessions/{session['id']}")).json()
    assert after["seats_reserved"] == 0


async def test_api_clients_reserve_only_in_their_regions(api: Api) -> None:
    provider = await api.provider(name="Centre d'Oujda", region="02", province="02.411")
    offer = await api.offer(provider["id"])
    oriental = await api.session(offer["id"], region="02", province="02.411", status="open")
    tanger = await open_session(api)
    client_01 = make_principal(kind="client", scopes=("offers:reserve",), regions=("01",))
    refused = await reserve(api, oriental["id"], "referral-1", client_01)
    assert refused.status_code == 404
    assert refused.headers["content-type"] == "application/problem+json"
    assert (await reserve(api, tanger["id"], "referral-1", client_01)).status_code == 201
    after = (await api.request("GET", f"/v1/sessions/{oriental['id']}")).json()
    assert after["seats_reserved"] == 0
