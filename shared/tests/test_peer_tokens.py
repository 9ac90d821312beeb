"""Peer tokens: a service acting for its caller, and what its key can never pass for."""

from __future__ import annotations

import json
import time
from uuid import uuid4

import jwt
import pytest
from pydantic import SecretStr, ValidationError

from shared.principal import Principal, Role
from shared.settings import Environment, PeerCallerSettings, ServiceTokenVerifierSettings
from shared.testing import Keys, PeerKeys, make_principal
from shared.tokens import (
    ALGORITHM,
    PEER_TOKEN_TYPE,
    InvalidServiceToken,
    PeerTokenSigner,
    ServiceTokenSigner,
    ServiceTokenVerifier,
    load_public_keys,
)

ASSOCIATION = uuid4()


def counsellor() -> Principal:
    return make_principal(
        role=Role.COUNSELLOR, association_id=ASSOCIATION, regions=("01",), subject="c-1"
    )


def verifier(gateway: Keys, *peers: PeerKeys, audience: str = "offers") -> ServiceTokenVerifier:
    return ServiceTokenVerifier(
        public_keys=load_public_keys(gateway.public_pem),
        audience=audience,
        peers={peer.service: load_public_keys(peer.public_pem) for peer in peers},
    )


def test_the_callee_sees_the_original_caller_and_the_acting_service() -> None:
    gateway, beneficiaries = Keys(), PeerKeys("beneficiaries")
    token = beneficiaries.signer.sign(counsellor(), "offers", request_id="rid-1")
    principal = verifier(gateway, beneficiaries).verify(token)
    assert principal.subject == "c-1"
    assert principal.role is Role.COUNSELLOR
    assert principal.association_id == ASSOCIATION
    assert principal.regions == ("01",)
    assert principal.acting_service == "beneficiaries"
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iss"] == "beneficiaries"
    assert claims["act"] == {"sub": "beneficiaries"}
    assert claims["rid"] == "rid-1"
    assert claims["exp"] - claims["iat"] <= 60


def test_an_existing_act_chain_is_nested() -> None:
    gateway, offers, beneficiaries = Keys(), PeerKeys("offers"), PeerKeys("beneficiaries")
    first = verifier(gateway, beneficiaries, audience="offers").verify(
        beneficiaries.signer.sign(counsellor(), "offers")
    )
    onward = offers.signer.sign(first, "network")
    claims = jwt.decode(onward, options={"verify_signature": False})
    assert claims["act"] == {"sub": "offers", "act": {"sub": "beneficiaries"}}
    principal = verifier(gateway, offers, audience="network").verify(onward)
    assert principal.actors == ("offers", "beneficiaries")
    assert principal.subject == "c-1"


def test_gateway_tokens_still_pass_and_name_no_actor() -> None:
    gateway = Keys()
    principal = verifier(gateway, PeerKeys("beneficiaries")).verify(gateway.token("offers"))
    assert principal.acting_service is None


def test_a_peer_that_is_not_listed_is_refused() -> None:
    gateway, network = Keys(), PeerKeys("network")
    token = network.signer.sign(counsellor(), "offers")
    with pytest.raises(InvalidServiceToken, match="issuer are not accepted"):
        verifier(gateway, PeerKeys("beneficiaries")).verify(token)


def test_a_peer_signing_with_another_peers_name_is_refused() -> None:
    gateway, beneficiaries, impostor = Keys(), PeerKeys("beneficiaries"), PeerKeys("network")
    forged = PeerTokenSigner(impostor.signer.private_key, "beneficiaries")
    with pytest.raises(InvalidServiceToken, match="unknown signing key"):
        verifier(gateway, beneficiaries).verify(forged.sign(counsellor(), "offers"))


def test_a_service_key_cannot_issue_as_the_gateway() -> None:
    with pytest.raises(ValueError, match="issued by a service"):
        PeerTokenSigner(PeerKeys("x").signer.private_key, "kafaat-gateway")
    gateway, beneficiaries = Keys(), PeerKeys("beneficiaries")
    check = verifier(gateway, beneficiaries)
    # The service's key signs what the gateway signs, issuer and all: refused (not its key).
    as_gateway = ServiceTokenSigner(beneficiaries.signer.private_key)
    with pytest.raises(InvalidServiceToken, match="unknown signing key"):
        check.verify(as_gateway.sign(counsellor(), "offers"))
    # ...even naming the gateway's kid: the signature does not match the gateway's key.
    now = int(time.time())
    claims = {"iss": "kafaat-gateway", "aud": "offers", "sub": "x", "iat": now, "exp": now + 60}
    kid = next(iter(load_public_keys(gateway.public_pem)))
    forged = jwt.encode(
        claims, beneficiaries.signer.private_key, algorithm=ALGORITHM, headers={"kid": kid}
    )
    with pytest.raises(InvalidServiceToken, match="[Ss]ignature"):
        check.verify(forged)
    # ...and a gateway-issued token typed or shaped as a peer token is refused, whoever signed it.
    typed = jwt.encode(
        claims,
        gateway.signer.private_key,
        algorithm=ALGORITHM,
        headers={"kid": kid, "typ": PEER_TOKEN_TYPE},
    )
    with pytest.raises(InvalidServiceToken, match="cannot be issued as the gateway"):
        check.verify(typed)
    acting = jwt.encode(
        {**claims, "act": {"sub": "beneficiaries"}},
        gateway.signer.private_key,
        algorithm=ALGORITHM,
        headers={"kid": kid},
    )
    with pytest.raises(InvalidServiceToken, match="names no acting service"):
        check.verify(acting)


def test_a_peer_token_must_name_its_issuer_as_the_actor() -> None:
    gateway, beneficiaries = Keys(), PeerKeys("beneficiaries")
    now = int(time.time())
    kid = beneficiaries.signer.kid
    base = {"iss": "beneficiaries", "aud": "offers", "sub": "x", "iat": now, "exp": now + 60}

    def signed(claims: dict[str, object], typ: str = PEER_TOKEN_TYPE) -> str:
        headers = {"kid": kid, "typ": typ}
        return jwt.encode(claims, beneficiaries.signer.private_key, ALGORITHM, headers=headers)

    check = verifier(gateway, beneficiaries)
    with pytest.raises(InvalidServiceToken):
        check.verify(signed(base))  # no act
    with pytest.raises(InvalidServiceToken, match="acting service is not"):
        check.verify(signed({**base, "act": {"sub": "network"}}))
    with pytest.raises(InvalidServiceToken, match="not an access token"):
        check.verify(signed({**base, "act": {"sub": "beneficiaries"}}, typ="JWT"))
    assert check.verify(signed({**base, "act": {"sub": "beneficiaries"}})).subject == "x"


def test_expired_and_misaddressed_peer_tokens_are_refused() -> None:
    gateway, beneficiaries = Keys(), PeerKeys("beneficiaries")
    expired = PeerTokenSigner(beneficiaries.signer.private_key, "beneficiaries", -30)
    with pytest.raises(InvalidServiceToken, match="expired"):
        verifier(gateway, beneficiaries).verify(expired.sign(counsellor(), "offers"))
    token = beneficiaries.signer.sign(counsellor(), "network")
    with pytest.raises(InvalidServiceToken, match="(?i)audience"):
        verifier(gateway, beneficiaries).verify(token)


def test_peer_keys_rotate_by_kid() -> None:
    gateway, old, new = Keys(), PeerKeys("beneficiaries"), PeerKeys("beneficiaries")
    both = ServiceTokenVerifier(
        public_keys=load_public_keys(gateway.public_pem),
        audience="offers",
        peers={"beneficiaries": load_public_keys(old.public_pem + new.public_pem)},
    )
    for keys in (old, new):
        assert both.verify(keys.signer.sign(counsellor(), "offers")).subject == "c-1"
    after = verifier(gateway, new)
    with pytest.raises(InvalidServiceToken, match="unknown signing key"):
        after.verify(old.signer.sign(counsellor(), "offers"))


def test_a_peer_holding_the_gateways_key_is_refused_at_start() -> None:
    gateway = Keys()
    with pytest.raises(ValueError, match="gateway's service-token keys"):
        ServiceTokenVerifier(
            public_keys=load_public_keys(gateway.public_pem),
            audience="offers",
            peers={"beneficiaries": load_public_keys(gateway.public_pem)},
        )


def test_a_service_never_signs_for_an_anonymous_caller() -> None:
    with pytest.raises(ValueError, match="authenticated caller"):
        PeerKeys("beneficiaries").signer.sign(
            make_principal(kind="anonymous", subject="anonymous"), "offers"
        )


def test_peers_setting_is_a_json_object(monkeypatch: pytest.MonkeyPatch) -> None:
    peer = PeerKeys("beneficiaries")
    monkeypatch.setenv("KAFAAT_TEST_PEERS", "")
    settings = ServiceTokenVerifierSettings(_env_prefix="KAFAAT_TEST_")
    assert settings.peers == {}
    monkeypatch.setenv("KAFAAT_TEST_PEERS", json.dumps({"beneficiaries": peer.public_pem.decode()}))
    settings = ServiceTokenVerifierSettings(_env_prefix="KAFAAT_TEST_")
    assert settings.peers["beneficiaries"].get_secret_value() == peer.public_pem.decode()
    monkeypatch.setenv("KAFAAT_TEST_PEERS", "beneficiaries=abc")
    with pytest.raises(ValidationError, match="JSON object"):
        ServiceTokenVerifierSettings(_env_prefix="KAFAAT_TEST_")
    with pytest.raises(ValidationError, match="is the gateway, not a peer"):
        ServiceTokenVerifierSettings(peers={"kafaat-gateway": SecretStr("x")})


def test_production_needs_the_services_own_key() -> None:
    with pytest.raises(ValidationError, match="PEER_TOKEN_PRIVATE_KEY is required"):
        PeerCallerSettings(
            environment=Environment.PRODUCTION, service_token_public_keys=SecretStr("k")
        )
