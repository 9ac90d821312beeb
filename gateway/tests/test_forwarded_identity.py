"""What services receive through the proxy: the caller's identity in a signed service token, and
nothing a client made up."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import httpx2
import pytest
from fastapi import APIRouter, FastAPI
from pydantic import AnyHttpUrl, BaseModel

from shared.app import create_service_app
from shared.policy import require
from shared.principal import Principal, Role
from shared.problems import ProblemError
from shared.settings import ServiceTokenVerifierSettings
from shared.testing import Keys, serve, verifier_settings
from shared.testing.echo import serve_echo
from shared.tokens import ServiceTokenVerifier, load_public_keys

from .conftest import OpenGateway
from .factories import Identities
from .helpers import add_person, bearer, sign_in

FORGED_IDENTITY = {
    "X-User-Id": "00000000-0000-0000-0000-000000000001",
    "X-User-Role": "admin",
    "X-User-Regions": "01,02,03",
    "X-Principal": '{"kind": "user", "role": "admin"}',
    "X-Principal-Role": "admin",
    "X-Auth-Request-User": "admin",
    "X-Kafaat-Principal": "admin",
    "X-Remote-User": "admin",
    "X-Forwarded-User": "admin",
    "X-Forwarded-Email": "admin@example.org",
    "X-Service-Token": "forged",
}


def _received(response: httpx2.Response) -> dict[str, str]:
    echoed: dict[str, Any] = response.json()
    return dict(echoed["headers"])


def _principal(headers: dict[str, str], keys: Keys, audience: str) -> Principal:
    verifier = ServiceTokenVerifier(load_public_keys(keys.public_pem), audience=audience)
    scheme, token = headers["authorization"].split(" ")
    assert scheme == "Bearer"
    return verifier.verify(token)


@pytest.fixture
async def echoed(open_gateway: OpenGateway) -> AsyncIterator[tuple[FastAPI, httpx2.AsyncClient]]:
    async with (
        serve_echo() as echo_url,
        open_gateway(offers_url=AnyHttpUrl(echo_url), network_url=AnyHttpUrl(echo_url)) as opened,
    ):
        yield opened


async def test_identity_headers_from_clients_never_reach_a_service(
    echoed: tuple[FastAPI, httpx2.AsyncClient], keys: Keys
) -> None:
    app, client = echoed
    person = await add_person(app, "karim@example.org", Role.REGIONAL_COORDINATOR, regions=("01",))
    token = (await sign_in(client, "karim@example.org"))["access_token"]
    for headers in (FORGED_IDENTITY, FORGED_IDENTITY | bearer(token)):
        response = await client.get("/api/v1/offers", headers=headers)
        assert response.status_code == 200
        received = _received(response)
        assert not {name.lower() for name in FORGED_IDENTITY} & received.keys()
    principal = _principal(received, keys, "offers")
    assert principal.subject == str(person)
    assert principal.role is Role.REGIONAL_COORDINATOR
    assert principal.regions == ("01",)


async def test_forged_headers_do_not_make_an_anonymous_caller_someone(
    echoed: tuple[FastAPI, httpx2.AsyncClient], keys: Keys
) -> None:
    _, client = echoed
    received = _received(await client.get("/api/v1/labour-needs", headers=FORGED_IDENTITY))
    principal = _principal(received, keys, "network")
    assert principal.kind == "anonymous"
    assert principal.role is None


async def test_the_service_token_carries_the_organisation_of_a_person(
    echoed: tuple[FastAPI, httpx2.AsyncClient], keys: Keys
) -> None:
    app, client = echoed
    association = "6f1c2a4e-0d51-4c8e-9b0a-5a3e1d7c0001"
    await add_person(
        app,
        "nadia@example.org",
        Role.COUNSELLOR,
        regions=("02",),
        association_id=UUID(association),
    )
    token = (await sign_in(client, "nadia@example.org"))["access_token"]
    principal = _principal(
        _received(await client.get("/api/v1/offers", headers=bearer(token))), keys, "offers"
    )
    assert principal.role is Role.COUNSELLOR
    assert str(principal.association_id) == association
    assert principal.regions == ("02",)


# --- a tiny service guarded by policies, as the real ones are --------------------------------


class OfferIn(BaseModel):
    title: str
    region: str


OfferReader = Annotated[
    Principal, require(anonymous=True, roles={Role.VIEWER}, scopes={"offers:read"})
]
OfferWriter = Annotated[Principal, require(roles={Role.PROVIDER_STAFF}, scopes={"offers:write"})]
offers_router = APIRouter(tags=["offers"])


@offers_router.get("/v1/offers", name="list")
async def list_offers(principal: OfferReader) -> dict[str, Any]:
    return {"kind": principal.kind, "regions": list(principal.regions)}


@offers_router.post("/v1/offers", status_code=201, name="create")
async def create_offer(body: OfferIn, principal: OfferWriter) -> dict[str, str]:
    # What every service does with a principal limited to regions.
    if principal.regions and body.region not in principal.regions:
        raise ProblemError(
            403,
            "region_outside_scope",
            params={"region": body.region, "regions": ", ".join(principal.regions)},
            slug="forbidden",
        )
    return {"title": body.title, "region": body.region}


def offers_service(keys: Keys, tmp_path: Path) -> FastAPI:
    settings = verifier_settings(ServiceTokenVerifierSettings)(
        f"sqlite+aiosqlite:///{tmp_path}/offers.db", keys
    )
    return create_service_app(
        service="offers", title="offers", description="", settings=settings, routers=[offers_router]
    )


@pytest.fixture
async def guarded(
    open_gateway: OpenGateway, keys: Keys, tmp_path: Path
) -> AsyncIterator[tuple[FastAPI, httpx2.AsyncClient]]:
    async with (
        serve(offers_service(keys, tmp_path)) as offers_url,
        open_gateway(offers_url=AnyHttpUrl(offers_url)) as opened,
    ):
        yield opened


async def _client_token(
    identities: Identities, client: httpx2.AsyncClient, scopes: list[str], regions: list[str]
) -> str:
    made, secret = await identities.api_client(name="Regional IT", scopes=scopes, regions=regions)
    credentials = f"{made.id}:{secret}"
    response = await client.post(
        "/api/v1/auth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": "Basic " + base64.b64encode(credentials.encode()).decode()},
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


async def test_a_client_without_offers_write_cannot_write_offers(
    guarded: tuple[FastAPI, httpx2.AsyncClient], identities: Identities
) -> None:
    _, client = guarded
    token = await _client_token(identities, client, ["offers:read"], ["01"])
    read = await client.get("/api/v1/offers", headers=bearer(token))
    assert read.status_code == 200
    assert read.json() == {"kind": "client", "regions": ["01"]}
    write = await client.post(
        "/api/v1/offers", json={"title": "Soudure", "region": "01"}, headers=bearer(token)
    )
    assert write.status_code == 403
    assert write.headers["content-type"] == "application/problem+json"


async def test_a_client_limited_to_region_01_cannot_act_in_region_02(
    guarded: tuple[FastAPI, httpx2.AsyncClient], identities: Identities
) -> None:
    _, client = guarded
    token = await _client_token(identities, client, ["offers:read", "offers:write"], ["01"])
    in_01 = await client.post(
        "/api/v1/offers", json={"title": "Soudure", "region": "01"}, headers=bearer(token)
    )
    assert in_01.status_code == 201
    in_02 = await client.post(
        "/api/v1/offers", json={"title": "Soudure", "region": "02"}, headers=bearer(token)
    )
    assert in_02.status_code == 403
    assert in_02.json()["detail"] == "Region 02 is outside your scope; you may ask for 01."


async def test_people_pass_service_policies_by_role(
    guarded: tuple[FastAPI, httpx2.AsyncClient],
) -> None:
    app, client = guarded
    provider = "33333333-3333-3333-3333-333333333333"
    await add_person(app, "omar@example.org", Role.PROVIDER_STAFF, provider_id=UUID(provider))
    await add_person(app, "hassan@example.org", Role.VIEWER)
    staff = (await sign_in(client, "omar@example.org"))["access_token"]
    viewer = (await sign_in(client, "hassan@example.org"))["access_token"]
    offer = {"title": "Soudure", "region": "01"}
    assert (
        await client.post("/api/v1/offers", json=offer, headers=bearer(staff))
    ).status_code == 201
    assert (
        await client.post("/api/v1/offers", json=offer, headers=bearer(viewer))
    ).status_code == 403
    assert (await client.post("/api/v1/offers", json=offer)).status_code == 401
    assert (await client.get("/api/v1/offers")).json()["kind"] == "anonymous"
