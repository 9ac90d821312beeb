"""Never half-written across the two databases: offers stopped between the two steps of a
referral, its answer lost, the beneficiaries service restarted with a referral pending."""

from __future__ import annotations

import asyncio
from typing import Any

from shared.principal import Principal
from shared.testing import Keys, OpenApp

from .conftest import Offers, World, connect

SETTLED_WITHIN = 30.0


async def settled(world: World, counsellor: Principal, referral_id: str) -> dict[str, Any]:
    """The referral once the service has settled it (no longer pending)."""
    deadline = asyncio.get_running_loop().time() + SETTLED_WITHIN
    while True:
        answer = await world.request("GET", f"/v1/referrals/{referral_id}", counsellor)
        body: dict[str, Any] = answer.json()
        if body["status"] != "pending" or asyncio.get_running_loop().time() > deadline:
            return body
        await asyncio.sleep(0.1)


async def offers_down_between_the_steps(world: World) -> tuple[Principal, dict[str, Any], str]:
    """Refer with offers stopped right after the referral is stored, before the seat: 503."""
    counsellor = world.counsellor(await world.association())
    person = await world.person(counsellor)
    session = await world.session(seats_total=3)
    world.offers.before_reservation = world.offers.stop
    refused = await world.refer(counsellor, person, session["id"])
    assert refused.status_code == 503
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["type"].endswith("/peer-unavailable")
    assert problem["service"] == "offers"
    return counsellor, session, problem["referral_id"]


async def test_offers_stopped_between_the_steps_then_back(world: World) -> None:
    counsellor, session, referral_id = await offers_down_between_the_steps(world)
    pending = await world.request("GET", f"/v1/referrals/{referral_id}", counsellor)
    assert pending.json()["status"] == "pending"
    assert pending.json()["reservation_id"] is None
    await world.offers.start()
    referral = await settled(world, counsellor, referral_id)
    assert referral["status"] == "referred"
    assert [step["status"] for step in referral["history"]] == ["pending", "referred"]
    assert referral["history"][-1]["author"] == "service:beneficiaries"
    assert await world.seats_reserved(session["id"]) == 1
    path = f"/v1/sessions/{session['id']}/reservations/{referral['reservation_id']}"
    seat = await world.offers.call("GET", path, world.keys, principal=counsellor)
    assert seat.json()["status"] == "held"


async def test_a_seat_taken_whose_answer_was_lost_is_found_not_taken_twice(world: World) -> None:
    counsellor = world.counsellor(await world.association())
    person = await world.person(counsellor)
    session = await world.session(seats_total=3)
    world.offers.after_reservation = world.offers.stop
    lost = await world.refer(counsellor, person, session["id"])
    assert lost.status_code == 503
    referral_id = lost.json()["referral_id"]
    await world.offers.start()
    # Offers holds the seat the referral does not know of yet; the worker finds it.
    referral = await settled(world, counsellor, referral_id)
    assert referral["status"] == "referred"
    assert referral["reservation_id"] is not None
    assert await world.seats_reserved(session["id"]) == 1


async def test_a_referral_left_pending_is_settled_after_a_restart(
    open_app: OpenApp, offers: Offers, keys: Keys
) -> None:
    # The first process settles nothing (no worker), and stops with the referral pending.
    async with open_app(referral_workers=0) as (app, client):
        connect(app, offers)
        world = World(client, keys, offers)
        counsellor, session, referral_id = await offers_down_between_the_steps(world)
        await app.state.offers.close()
    await offers.start()
    assert await World(client, keys, offers).seats_reserved(session["id"]) == 0
    async with open_app() as (app, client):
        connect(app, offers)
        world = World(client, keys, offers)
        referral = await settled(world, counsellor, referral_id)
        await app.state.offers.close()
    assert referral["status"] == "referred"
    assert await world.seats_reserved(session["id"]) == 1


async def test_a_referral_pending_too_long_is_given_up_and_its_seat_released(
    open_app: OpenApp, offers: Offers, keys: Keys
) -> None:
    async with open_app(referral_give_up_seconds=0.5) as (app, client):
        connect(app, offers)
        world = World(client, keys, offers)
        # The answer is lost: offers holds a seat, and is away longer than the service waits.
        counsellor = world.counsellor(await world.association())
        person = await world.person(counsellor)
        session = await world.session(seats_total=3)
        offers.after_reservation = offers.stop
        assert (await world.refer(counsellor, person, session["id"])).status_code == 503
        referral_id = (await world.request("GET", "/v1/referrals", counsellor)).json()["items"][0][
            "id"
        ]
        await asyncio.sleep(0.6)
        await offers.start()
        referral = await settled(world, counsellor, referral_id)
        await app.state.offers.close()
    assert referral["status"] == "failed"
    assert referral["reservation_id"] is None
    assert "released" in referral["reason"]
    assert await world.seats_reserved(session["id"]) == 0
