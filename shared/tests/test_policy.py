from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, FastAPI

from shared.app import create_service_app
from shared.policy import require, routes_open_to_peers, routes_without_policy
from shared.principal import Principal, Role
from shared.settings import ServiceTokenVerifierSettings
from shared.testing import Keys, PeerKeys, asgi_client, make_principal, verifier_settings

Reader = Annotated[Principal, require(anonymous=True, roles={Role.VIEWER}, scopes={"x:read"})]
Writer = Annotated[Principal, require(roles={Role.PROVIDER_STAFF}, scopes={"x:write"})]

router = APIRouter(tags=["things"])


@router.get("/v1/things", name="list")
async def list_things(principal: Reader) -> dict[str, str]:
    return {"kind": principal.kind}


@router.post("/v1/things", name="create")
async def create_thing(principal: Writer) -> dict[str, str]:
    return {"subject": principal.subject}


@router.get("/v1/unguarded", name="unguarded")
async def unguarded() -> dict[str, str]:
    return {}


def build(keys: Keys, tmp: str) -> FastAPI:
    settings = verifier_settings(ServiceTokenVerifierSettings)(
        f"sqlite+aiosqlite:///{tmp}/policy.db", keys
    )
    return create_service_app(
        service="things", title="t", description="d", settings=settings, routers=[router]
    )


async def test_route_walker_finds_the_unguarded_route(keys: Keys, tmp_path: str) -> None:
    assert routes_without_policy(build(keys, str(tmp_path))) == ["GET /v1/unguarded"]


async def test_policies_decide_by_kind_role_and_scope(keys: Keys, tmp_path: str) -> None:
    async with asgi_client(build(keys, str(tmp_path))) as client:

        async def status(method: str, principal: Principal) -> int:
            headers = keys.headers("things", principal)
            return (await client.request(method, "/v1/things", headers=headers)).status_code

        anonymous = make_principal(kind="anonymous", subject="anonymous")
        assert await status("GET", anonymous) == 200
        assert await status("POST", anonymous) == 401
        assert await status("POST", make_principal(role=Role.VIEWER)) == 403
        assert await status("POST", make_principal(role=Role.PROVIDER_STAFF)) == 200
        assert await status("POST", make_principal(role=Role.ADMIN)) == 200
        reader = make_principal(kind="client", scopes=("x:read",))
        assert await status("GET", reader) == 200
        assert await status("POST", reader) == 403
        writer = make_principal(kind="client", scopes=("x:read", "x:write"))
        assert await status("POST", writer) == 200


Reserver = Annotated[Principal, require(roles={Role.COUNSELLOR}, peers=("beneficiaries",))]
peer_router = APIRouter(tags=["seats"])


@peer_router.post("/v1/seats", name="reserve")
async def reserve_seat(principal: Reserver) -> dict[str, str | None]:
    return {"subject": principal.subject, "acting": principal.acting_service}


def build_with_peers(keys: Keys, tmp: str, *peers: PeerKeys) -> FastAPI:
    listed = {name: key for peer in peers for name, key in peer.setting().items()}
    settings = verifier_settings(ServiceTokenVerifierSettings)(
        f"sqlite+aiosqlite:///{tmp}/policy.db", keys, peers=listed
    )
    return create_service_app(
        service="things",
        title="t",
        description="d",
        settings=settings,
        routers=[router, peer_router],
    )


async def test_peers_reach_only_the_routes_that_name_them(keys: Keys, tmp_path: str) -> None:
    beneficiaries, network = PeerKeys("beneficiaries"), PeerKeys("network")
    app = build_with_peers(keys, str(tmp_path), beneficiaries)
    assert routes_open_to_peers(app) == {"POST /v1/seats": frozenset({"beneficiaries"})}
    counsellor = make_principal(role=Role.COUNSELLOR, subject="c-1")
    async with asgi_client(app) as client:
        seat = await client.post("/v1/seats", headers=beneficiaries.headers("things", counsellor))
        assert seat.status_code == 200
        assert seat.json() == {"subject": "c-1", "acting": "beneficiaries"}
        # The caller's own rules still apply: a viewer is refused even through the peer.
        viewer = beneficiaries.headers("things", make_principal(role=Role.VIEWER))
        assert (await client.post("/v1/seats", headers=viewer)).status_code == 403
        # Routes that do not name the peer refuse it, an anonymous-open one and admins included.
        for method in ("GET", "POST"):
            for principal in (counsellor, make_principal(role=Role.ADMIN)):
                headers = beneficiaries.headers("things", principal)
                refused = await client.request(method, "/v1/things", headers=headers)
                assert refused.status_code == 403
                assert "beneficiaries service" in refused.json()["detail"]
        # A peer the settings do not list never gets in.
        unlisted = await client.post("/v1/seats", headers=network.headers("things", counsellor))
        assert unlisted.status_code == 401
