"""Seats: atomic reservations (never oversold, on both databases), idempotent by key, release."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx2

from shared.principal import ANONYMOUS, Role
from shared.testing import make_principal

from ..helpers import Api, problem_fields

COUNSELLOR = make_principal(role=Role.COUNSELLOR)


async def open_session(api: Api, **fields: Any) -> dict[str, Any]:
    offer = await api.offer()
    return await api.session(offer["id"], status="open", **fields)


async def reserve(api: Api, session_id: str, key: str, **body: Any) -> httpx2.Response:
    return await api.request(
        "POST",
        f"/v1/sessions/{session_id}/reservations",
        COUNSELLOR,
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
    assert await status(make_principal(kind="client", scopes=("offers:reserve",))) == 201
    assert await status(make_principal(role=Role.ASSOCIATION_MANAGER)) == 201
