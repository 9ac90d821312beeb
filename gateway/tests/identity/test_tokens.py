"""Access tokens the gateway must refuse, on its own routes and on proxied ones."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx2
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from pydantic import AnyHttpUrl, SecretStr

from gateway.identity.tokens import InvalidAccessToken, access_token_keys
from shared.principal import Role
from shared.testing import Keys, PeerKeys, make_principal
from shared.testing.echo import serve_echo
from shared.tokens import generate_private_key_pem, public_key_pem

from ..conftest import OpenGateway
from ..helpers import add_person, bearer, gateway_settings, identity_of, sign_in


def _claims(app: FastAPI, **overrides: Any) -> dict[str, Any]:
    signer = identity_of(app).signer
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": signer.issuer,
        "aud": signer.audience,
        "iat": now,
        "exp": now + 300,
        "sub": "00000000-0000-0000-0000-000000000001",
        "knd": "user",
        "role": "admin",
    }
    claims.update(overrides)
    return claims


def _sign(app: FastAPI, claims: dict[str, Any], key: Ed25519PrivateKey | None = None) -> str:
    signer = identity_of(app).signer
    return jwt.encode(
        claims,
        key or signer.private_key,
        algorithm="EdDSA",
        headers={"kid": signer.kid, "typ": "at+jwt"},
    )


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def bad_tokens(app: FastAPI, keys: Keys) -> dict[str, str]:
    kid = identity_of(app).signer.kid
    return {
        "bad signature": _sign(app, _claims(app), key=Ed25519PrivateKey.generate()),
        "alg none": f"{_b64({'alg': 'none', 'typ': 'at+jwt', 'kid': kid})}.{_b64(_claims(app))}.",
        "expired": _sign(app, _claims(app, iat=int(time.time()) - 3600, exp=int(time.time()) - 60)),
        "another audience": _sign(app, _claims(app, aud="offers")),
        "a service token": keys.token("kafaat-api", make_principal(role=Role.ADMIN)),
        # A service's own key, for the gateway's audience: never a way in.
        "a peer token": PeerKeys("beneficiaries").signer.sign(
            make_principal(role=Role.ADMIN), "kafaat-api"
        ),
        "a peer key as the gateway": jwt.encode(
            _claims(app),
            PEER.signer.private_key,
            algorithm="EdDSA",
            headers={"kid": kid, "typ": "at+jwt"},
        ),
        # Even the access-token key does not make an acting service pass for its caller.
        "an acting service": _sign(app, _claims(app, act={"sub": "beneficiaries"})),
        "garbage": "not-a-jwt",
    }


PEER = PeerKeys("beneficiaries")
CASES = [
    "bad signature",
    "alg none",
    "expired",
    "another audience",
    "a service token",
    "a peer token",
    "a peer key as the gateway",
    "an acting service",
    "garbage",
]


@pytest.mark.parametrize("case", CASES)
async def test_gateway_routes_refuse_bad_tokens_with_401(
    app: FastAPI, client: httpx2.AsyncClient, keys: Keys, case: str
) -> None:
    token = bad_tokens(app, keys)[case]
    response = await client.get("/api/v1/auth/me", headers=bearer(token))
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.fixture
async def proxied(open_gateway: OpenGateway) -> AsyncIterator[tuple[FastAPI, httpx2.AsyncClient]]:
    async with serve_echo() as echo_url, open_gateway(offers_url=AnyHttpUrl(echo_url)) as opened:
        yield opened


@pytest.mark.parametrize("case", CASES)
async def test_proxied_routes_refuse_bad_tokens_with_401(
    proxied: tuple[FastAPI, httpx2.AsyncClient], keys: Keys, case: str
) -> None:
    app, client = proxied
    response = await client.get("/api/v1/offers", headers=bearer(bad_tokens(app, keys)[case]))
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_valid_token_passes_and_a_tampered_copy_does_not(
    app: FastAPI, client: httpx2.AsyncClient
) -> None:
    await add_person(app, "viewer@example.org", Role.VIEWER)
    token = (await sign_in(client, "viewer@example.org"))["access_token"]
    assert (await client.get("/api/v1/auth/me", headers=bearer(token))).status_code == 200
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["role"] = "admin"
    tampered = f"{header}.{_b64(claims)}.{signature}"
    assert (await client.get("/api/v1/auth/me", headers=bearer(tampered))).status_code == 401


async def test_access_tokens_are_signed_with_their_own_key_and_audience(
    app: FastAPI, client: httpx2.AsyncClient, keys: Keys
) -> None:
    await add_person(app, "viewer@example.org", Role.VIEWER)
    token = (await sign_in(client, "viewer@example.org"))["access_token"]
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert header["typ"] == "at+jwt"
    assert header["alg"] == "EdDSA"
    assert claims["aud"] == "kafaat-api"
    assert claims["exp"] - claims["iat"] <= 900
    assert header["kid"] != keys.signer.kid


def test_tokens_signed_before_a_key_rotation_still_verify(keys: Keys) -> None:
    old_pem, new_pem = generate_private_key_pem(), generate_private_key_pem()
    before = gateway_settings(
        "sqlite+aiosqlite://", keys, access_token_private_key=SecretStr(old_pem.decode())
    )
    after = gateway_settings(
        "sqlite+aiosqlite://",
        keys,
        access_token_private_key=SecretStr(new_pem.decode()),
        access_token_previous_public_keys=SecretStr(public_key_pem(old_pem).decode()),
    )
    old_signer, _ = access_token_keys(before)
    token, _ = old_signer.sign(make_principal(role=Role.VIEWER))
    _, verifier = access_token_keys(after)
    assert verifier.verify(token).principal.role is Role.VIEWER
    _, forgetful = access_token_keys(
        gateway_settings(
            "sqlite+aiosqlite://", keys, access_token_private_key=SecretStr(new_pem.decode())
        )
    )
    with pytest.raises(InvalidAccessToken, match="unknown signing key"):
        forgetful.verify(token)
