"""Referrals: a seat reserved in the real offers service for the counsellor, the provider's
side, consent, scope and audit."""

from __future__ import annotations

from uuid import uuid4

import httpx2
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.audit.models import AuditEntry
from shared.principal import Principal, Role
from shared.testing import make_principal

from .conftest import World


async def test_a_referral_reserves_a_seat_for_the_counsellor(world: World) -> None:
    counsellor = world.counsellor(await world.association())
    person = await world.person(counsellor)
    session = await world.session(seats_total=2)
    made = await world.refer(counsellor, person, session["id"])
    assert made.status_code == 201, made.text
    referral = made.json()
    assert referral["status"] == "referred"
    assert referral["provider_id"] == session["offer"]["provider_id"]
    assert [step["status"] for step in referral["history"]] == ["pending", "referred"]
    assert {step["author"] for step in referral["history"]} == {counsellor.subject}
    assert made.headers["etag"] == f'"{referral["version"]}"'
    assert await world.seats_reserved(session["id"]) == 1
    # The seat is the counsellor's in offers: she reads it there with her own token.
    path = f"/v1/sessions/{session['id']}/reservations/{referral['reservation_id']}"
    seat = await world.offers.call("GET", path, world.keys, principal=counsellor)
    assert seat.status_code == 200
    assert seat.json()["status"] == "held"
    # Once is enough: a second referral of the person to the session is a conflict.
    again = await world.refer(counsellor, person, session["id"])
    assert again.status_code == 409
    assert again.json()["existing_id"] == referral["id"]


async def test_an_idempotent_retry_answers_the_same_referral(world: World) -> None:
    counsellor = world.counsellor(await world.association())
    person = await world.person(counsellor)
    session = await world.session()
    first = await world.refer(counsellor, person, session["id"], **{"Idempotency-Key": "r-1"})
    second = await world.refer(counsellor, person, session["id"], **{"Idempotency-Key": "r-1"})
    assert first.status_code == second.status_code == 201
    assert second.json()["id"] == first.json()["id"]
    assert await world.seats_reserved(session["id"]) == 1


async def test_without_the_sharing_consent_the_referral_is_a_409_naming_it(world: World) -> None:
    counsellor = world.counsellor(await world.association())
    session = await world.session()
    never = await world.person(counsellor, consent=None)
    refused = await world.refer(counsellor, never, session["id"])
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["consent"] == "sharing_with_providers"
    assert "sharing_with_providers" in refused.json()["detail"]
    withdrawn = await world.person(counsellor)
    await world.consent(counsellor, withdrawn, "withdrawn")
    assert (await world.refer(counsellor, withdrawn, session["id"])).status_code == 409
    assert await world.seats_reserved(session["id"]) == 0


async def test_a_full_session_fails_the_referral_and_holds_nothing(world: World) -> None:
    counsellor = world.counsellor(await world.association())
    session = await world.session(seats_total=1)
    first = await world.refer(counsellor, await world.person(counsellor), session["id"])
    assert first.status_code == 201
    second_person = await world.person(counsellor)
    refused = await world.refer(counsellor, second_person, session["id"])
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/no-seats-left")
    failed = await world.request(
        "GET", f"/v1/referrals/{refused.json()['referral_id']}", counsellor
    )
    assert failed.json()["status"] == "failed"
    assert failed.json()["reservation_id"] is None
    assert await world.seats_reserved(session["id"]) == 1


async def test_unknown_sessions_and_people_out_of_scope(world: World) -> None:
    counsellor = world.counsellor(await world.association())
    person = await world.person(counsellor)
    unknown = await world.refer(counsellor, person, str(uuid4()))
    assert unknown.status_code == 422
    assert [e["field"] for e in unknown.json()["errors"]] == ["body.session_id"]
    session = await world.session()
    stranger = world.counsellor(await world.association())
    assert (await world.refer(stranger, person, session["id"])).status_code == 404
    referral = (await world.refer(counsellor, person, session["id"])).json()
    for caller in (
        stranger,
        make_principal(role=Role.REGIONAL_COORDINATOR, regions=("01",)),
        make_principal(role=Role.VIEWER),
        make_principal(role=Role.PROVIDER_STAFF, provider_id=uuid4(), regions=("01",)),
    ):
        answer = await world.request("GET", f"/v1/referrals/{referral['id']}", caller)
        assert answer.status_code == 404, caller.role
        moved = await world.request(
            "POST",
            f"/v1/referrals/{referral['id']}/transitions",
            caller,
            json={"status": "dropped", "reason": "x"},
        )
        assert moved.status_code == 404, caller.role
    listed = await world.request("GET", "/v1/referrals", stranger)
    assert listed.json()["items"] == []


async def test_provider_staff_see_their_referrals_with_name_and_contact_only_with_consent(
    world: World,
) -> None:
    counsellor = world.counsellor(await world.association())
    person = await world.person(counsellor)
    session = await world.session()
    referral = (await world.refer(counsellor, person, session["id"])).json()
    staff = world.staff_of(session)
    seen = await world.request("GET", f"/v1/referrals/{referral['id']}", staff)
    assert seen.status_code == 200
    assert seen.json()["person"] == {
        "first_name": "Salma",
        "last_name": "Bennani",
        "phone": "+212 661 00 00 01",
        "email": "salma@example.org",
    }
    assert "birth_date" not in seen.json()["person"]
    listed = await world.request("GET", "/v1/referrals", staff)
    assert [item["id"] for item in listed.json()["items"]] == [referral["id"]]
    # The person withdraws the consent: the provider no longer sees the referral.
    await world.consent(counsellor, person, "withdrawn")
    gone = await world.request("GET", f"/v1/referrals/{referral['id']}", staff)
    assert gone.status_code == 404
    assert (await world.request("GET", "/v1/referrals", staff)).json()["items"] == []
    # The association still does.
    own = await world.request("GET", f"/v1/referrals/{referral['id']}", counsellor)
    assert own.status_code == 200


async def test_the_provider_moves_it_on_and_a_rejection_frees_the_seat(world: World) -> None:
    counsellor = world.counsellor(await world.association())
    session = await world.session()
    staff = world.staff_of(session)

    async def move(referral_id: str, status: str, who: Principal, **extra: str) -> httpx2.Response:
        return await world.request(
            "POST",
            f"/v1/referrals/{referral_id}/transitions",
            who,
            json={"status": status, **extra},
        )

    first = (await world.refer(counsellor, await world.person(counsellor), session["id"])).json()
    # Only the provider accepts; a move out of order is a conflict.
    assert (await move(first["id"], "accepted", counsellor)).status_code == 403
    assert (await move(first["id"], "completed", staff)).status_code == 409
    for status in ("accepted", "enrolled", "completed"):
        answer = await move(first["id"], status, staff)
        assert answer.status_code == 200, answer.text
    done = answer.json()
    assert [step["status"] for step in done["history"]] == [
        "pending", "referred", "accepted", "enrolled", "completed",
    ]  # fmt: skip
    assert done["history"][-1]["author"] == staff.subject
    assert done["history"][-1]["author_role"] == "provider_staff"
    assert await world.seats_reserved(session["id"]) == 1  # a completed training keeps it

    second = (await world.refer(counsellor, await world.person(counsellor), session["id"])).json()
    assert await world.seats_reserved(session["id"]) == 2
    no_reason = await move(second["id"], "rejected", staff)
    assert no_reason.status_code == 422
    rejected = await move(second["id"], "rejected", staff, reason="Niveau requis non atteint")
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["reason"] == "Niveau requis non atteint"
    assert await world.seats_reserved(session["id"]) == 1

    third = (await world.refer(counsellor, await world.person(counsellor), session["id"])).json()
    dropped = await move(third["id"], "dropped", counsellor, reason="A trouvé un emploi")
    assert dropped.status_code == 200
    assert await world.seats_reserved(session["id"]) == 1


async def test_a_stale_if_match_is_412(world: World) -> None:
    counsellor = world.counsellor(await world.association())
    session = await world.session()
    referral = (await world.refer(counsellor, await world.person(counsellor), session["id"])).json()
    stale = await world.request(
        "POST",
        f"/v1/referrals/{referral['id']}/transitions",
        world.staff_of(session),
        json={"status": "accepted"},
        headers={"If-Match": '"1"'},
    )
    assert stale.status_code == 412


async def test_every_read_and_change_is_audited(world: World, db_session: AsyncSession) -> None:
    counsellor = world.counsellor(await world.association())
    person = await world.person(counsellor)
    session = await world.session()
    staff = world.staff_of(session)

    async def count(action: str, actor: str) -> int:
        statement = select(func.count()).where(
            AuditEntry.action == action, AuditEntry.actor == actor, AuditEntry.purpose == "referral"
        )
        return int(await db_session.scalar(statement) or 0)

    referral = (await world.refer(counsellor, person, session["id"])).json()
    assert await count("create", counsellor.subject) == 1
    await world.request("GET", f"/v1/referrals/{referral['id']}", staff)
    await world.request("GET", "/v1/referrals", staff)
    await world.request(
        "POST", f"/v1/referrals/{referral['id']}/transitions", staff, json={"status": "accepted"}
    )
    assert await count("read", staff.subject) == 1
    assert await count("list", staff.subject) == 1
    assert await count("update", staff.subject) == 1
