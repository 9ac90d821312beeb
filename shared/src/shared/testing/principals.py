"""Principals and service tokens for tests: throw-away gateway and peer key pairs."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import SecretStr

from shared.principal import Principal, Role
from shared.tokens import (
    PeerTokenSigner,
    ServiceTokenSigner,
    generate_private_key_pem,
    public_key_pem,
)


class Keys:
    """A throw-away gateway key pair and a signer for tokens in tests."""

    def __init__(self) -> None:
        self.private_pem = generate_private_key_pem()
        self.public_pem = public_key_pem(self.private_pem)
        self.signer = ServiceTokenSigner.from_pem(self.private_pem)

    def token(self, audience: str, principal: Principal | None = None, **claims: Any) -> str:
        return self.signer.sign(principal or make_principal(**claims), audience)

    def headers(
        self, audience: str, principal: Principal | None = None, **claims: Any
    ) -> dict[str, str]:
        return {"Authorization": "Bearer " + self.token(audience, principal, **claims)}


class PeerKeys:
    """A throw-away key pair of a peer service (``service``) calling others for its callers."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.private_pem = generate_private_key_pem()
        self.public_pem = public_key_pem(self.private_pem)
        self.signer = PeerTokenSigner.from_pem(self.private_pem, service)

    def setting(self) -> dict[str, SecretStr]:
        """The callee's ``peers`` setting that lists this peer."""
        return {self.service: SecretStr(self.public_pem.decode())}

    def headers(
        self, audience: str, principal: Principal | None = None, **claims: Any
    ) -> dict[str, str]:
        token = self.signer.sign(principal or make_principal(**claims), audience)
        return {"Authorization": "Bearer " + token}


def make_principal(**fields: Any) -> Principal:
    fields.setdefault("subject", str(uuid.uuid4()))
    fields.setdefault("kind", "user")
    if fields["kind"] == "user":
        fields.setdefault("role", Role.ADMIN)
    return Principal(**fields)
