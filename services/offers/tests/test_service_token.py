"""Every route of the service sits behind the gateway's service token."""

from __future__ import annotations

import time

import httpx2
import jwt

from shared.testing import Keys, make_principal
from shared.tokens import ServiceTokenSigner, generate_private_key_pem


async def test_health_needs_no_token(client: httpx2.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.get("/readyz")).json() == {"status": "ready"}


async def test_openapi_without_token_is_401_problem(client: httpx2.AsyncClient) -> None:
    response = await client.get("/openapi.json")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_token_for_this_service_is_accepted(client: httpx2.AsyncClient, keys: Keys) -> None:
    response = await client.get("/openapi.json", headers=keys.headers("offers"))
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Kafaat offers service"


async def test_token_for_another_audience_is_401(client: httpx2.AsyncClient, keys: Keys) -> None:
    response = await client.get("/openapi.json", headers=keys.headers("beneficiaries"))
    assert response.status_code == 401
    assert "audience" in response.json()["detail"].lower()


async def test_token_signed_by_another_key_is_401(client: httpx2.AsyncClient) -> None:
    forger = ServiceTokenSigner.from_pem(generate_private_key_pem())
    token = forger.sign(make_principal(), "offers")
    response = await client.get("/openapi.json", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


async def test_token_with_alg_none_is_401(client: httpx2.AsyncClient) -> None:
    now = int(time.time())
    claims = {"iss": "kafaat-gateway", "aud": "offers", "sub": "x", "iat": now, "exp": now + 60}
    token = jwt.encode(claims, key="", algorithm="none")
    response = await client.get("/openapi.json", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


async def test_expired_token_is_401(client: httpx2.AsyncClient, keys: Keys) -> None:
    signer = ServiceTokenSigner(keys.signer.private_key, lifetime_seconds=-30)
    token = signer.sign(make_principal(), "offers")
    response = await client.get("/openapi.json", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert "expired" in response.json()["detail"].lower()


async def test_request_id_is_echoed_or_created(client: httpx2.AsyncClient) -> None:
    echoed = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    created = await client.get("/healthz")
    assert len(created.headers["x-request-id"]) == 32
