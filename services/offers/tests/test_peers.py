"""The beneficiaries service reserves seats for its counsellors, and reaches nothing else."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID, uuid4

import httpx2
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from shared.policy import routes_open_to_peers
from shared.principal import Role
from shared.testing import OpenApp, PeerKeys, make_principal

from .helpers import Api

ASSOCIATION = UUID("11111111-1111-1111-1111-111111111111")
NADIA = make_principal(role=Role.COUNSELLOR, regions=("01",), association_id=ASSOCIATION)
OTHER = make_principal(role=Role.COUNSELLOR, association_id=uuid4())
BENEFICIARIES = PeerKeys("beneficiaries")
SESSIONS = "/v1/sessions/{session_id:uuid}"
# The operations offers opens to the beneficiaries service: one session, and its reservations.
PEER_ROUTES = {
    f"GET {SESSIONS}": frozenset({"beneficiaries"}),
    f"POST {SESSIONS}/reservations": frozenset({"beneficiaries"}),
    f"GET {SESSIONS}/reservations/{{reservation_id:uuid}}": frozenset({"beneficiaries"}),
    f"DELETE {SESSIONS}/reservations/{{reservation_id:uuid}}": frozenset({"beneficiaries"}),
}


def test_only_the_seat_routes_are_open_to_a_peer(app: FastAPI) -> None:
    assert routes_open_to_peers(app) == PEER_ROUTES


async def test_every_other_route_refuses_the_peer(open_app: OpenApp) -> None:
    async with open_app(peers=BENEFICIARIES.setting()) as (app, client):
        headers = BENEFICIARIES.headers("offers", make_principal(role=Role.ADMIN))
        tried = 0
        for context in iter_route_contexts(app.routes):
            path = context.path or ""
            for method in context.methods or ():
                label = f"{method} {path}"
                if method == "HEAD" or label in PEER_ROUTES or not path.startswith("/v1/"):
                    continue
                url = re.sub(r"{\w+(:\w+)?}", str(uuid4()), path)
                response = await client.request(method, url, headers=headers)
                assert response.status_code == 403, label
                tried += 1
        assert tried > 20


async def _open_session(api: Api) -> dict[str, Any]:
    offer = await api.offer()
    return await api.session(offer["id"], status="open", seats_total=3)


async def test_a_seat_is_reserved_for_the_counsellor(
    open_app: OpenApp, api: Api, keys: Any
) -> None:
    async with open_app(peers=BENEFICIARIES.setting()) as (_, client):
        peer_api = Api(client, keys)
        session = await _open_session(peer_api)
        path = f"/v1/sessions/{session['id']}/reservations"
        via_peer = BENEFICIARIES.headers("offers", NADIA)
        seen = await client.get(f"/v1/sessions/{session['id']}", headers=via_peer)
        assert seen.json()["offer"]["provider_id"] == session["offer"]["provider_id"]
        made = await client.post(path, headers={**via_peer, "Idempotency-Key": "referral-1"})
        assert made.status_code == 201, made.text
        reservation = made.json()
        # It is the counsellor's: she reads it with her own token, a counsellor of another
        # association does not, even through the beneficiaries service.
        own = await peer_api.request("GET", f"{path}/{reservation['id']}", NADIA)
        assert own.status_code == 200
        foreign = BENEFICIARIES.headers("offers", OTHER)
        assert (await client.get(f"{path}/{reservation['id']}", headers=foreign)).status_code == 404
        # The same key through the peer replays it; releasing gives the seat back.
        again = await client.post(path, headers={**via_peer, "Idempotency-Key": "referral-1"})
        assert again.json()["id"] == reservation["id"]
        released = await client.delete(f"{path}/{reservation['id']}", headers=via_peer)
        assert released.status_code == 204
        after = await peer_api.request("GET", f"/v1/sessions/{session['id']}")
        assert after.json()["seats_reserved"] == 0


async def test_the_caller_rules_still_hold_through_the_peer(open_app: OpenApp, keys: Any) -> None:
    async with open_app(peers=BENEFICIARIES.setting()) as (_, client):
        session = await _open_session(Api(client, keys))
        path = f"/v1/sessions/{session['id']}/reservations"
        staff = BENEFICIARIES.headers("offers", make_principal(role=Role.PROVIDER_STAFF))
        refused = await client.post(path, headers={**staff, "Idempotency-Key": "k"})
        assert refused.status_code == 403


async def test_a_peer_offers_does_not_list_is_refused(api: Api, client: httpx2.AsyncClient) -> None:
    session = await _open_session(api)
    path = f"/v1/sessions/{session['id']}/reservations"
    headers = {**BENEFICIARIES.headers("offers", NADIA), "Idempotency-Key": "referral-1"}
    response = await client.post(path, headers=headers)
    assert response.status_code == 401
    assert "issuer" in response.json()["detail"]
