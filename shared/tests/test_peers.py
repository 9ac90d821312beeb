"""The peer client: a real peer on loopback, its problems typed, its absence a 503."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Header

from shared.app import create_service_app
from shared.observability import request_id_var
from shared.peers import PeerClient, PeerError, PeerUnavailable
from shared.policy import require
from shared.principal import Principal, Role
from shared.problems import ProblemError
from shared.settings import ServiceTokenVerifierSettings
from shared.testing import Keys, PeerKeys, free_port, make_principal, serve, verifier_settings

Caller = Annotated[Principal, require(roles={Role.COUNSELLOR}, peers=("beneficiaries",))]
router = APIRouter(tags=["seats"])


@router.post("/v1/seats", name="reserve")
async def reserve(
    principal: Caller,
    body: dict[str, Any],
    idempotency_key: Annotated[str, Header(alias="Idempotency-Key")],
    request_id: Annotated[str, Header(alias="X-Request-ID")],
) -> dict[str, Any]:
    if body.get("seats", 1) > 2:
        raise ProblemError(409, "Not enough seats left.", slug="no-seats-left")
    return {
        "subject": principal.subject,
        "acting": principal.acting_service,
        "key": idempotency_key,
        "request_id": request_id,
    }


@router.get("/v1/down", name="down")
async def down(principal: Caller) -> None:
    raise ProblemError(503, "Maintenance.")


def peer_app(keys: Keys, beneficiaries: PeerKeys, tmp: str) -> Any:
    settings = verifier_settings(ServiceTokenVerifierSettings)(
        f"sqlite+aiosqlite:///{tmp}/seats.db", keys, peers=beneficiaries.setting()
    )
    return create_service_app(
        service="seats", title="t", description="d", settings=settings, routers=[router]
    )


COUNSELLOR = make_principal(role=Role.COUNSELLOR, subject="c-7")


async def test_a_call_carries_the_caller_the_key_and_the_request_id(
    keys: Keys, tmp_path: str
) -> None:
    beneficiaries = PeerKeys("beneficiaries")
    async with serve(peer_app(keys, beneficiaries, str(tmp_path))) as url:
        client = PeerClient("seats", url, beneficiaries.signer)
        client.open()
        try:
            token = request_id_var.set("req-42")
            try:
                response = await client.request(
                    "POST",
                    "/v1/seats",
                    COUNSELLOR,
                    json={"seats": 1},
                    headers={"Idempotency-Key": "referral-1"},
                )
            finally:
                request_id_var.reset(token)
            assert response.json() == {
                "subject": "c-7",
                "acting": "beneficiaries",
                "key": "referral-1",
                "request_id": "req-42",
            }
            with pytest.raises(PeerError) as refused:
                await client.request(
                    "POST",
                    "/v1/seats",
                    COUNSELLOR,
                    json={"seats": 5},
                    headers={"Idempotency-Key": "referral-2", "X-Request-ID": "r"},
                )
            assert not isinstance(refused.value, PeerUnavailable)
            assert refused.value.status == 409
            assert refused.value.slug == "no-seats-left"
            with pytest.raises(PeerUnavailable):
                await client.request("GET", "/v1/down", COUNSELLOR)
        finally:
            await client.close()


async def test_a_peer_that_is_not_running_is_unavailable_as_a_503() -> None:
    client = PeerClient(
        "seats", f"http://127.0.0.1:{free_port()}", PeerKeys("beneficiaries").signer
    )
    client.open()
    try:
        with pytest.raises(PeerUnavailable) as down:
            await client.request("GET", "/v1/seats", COUNSELLOR)
    finally:
        await client.close()
    problem = down.value.as_problem()
    assert problem.status == 503
    assert problem.slug == "peer-unavailable"
    assert problem.extra == {"service": "seats"}
