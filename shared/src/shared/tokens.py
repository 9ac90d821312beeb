"""Service tokens: short-lived EdDSA JWTs that only the gateway can sign.

The gateway holds the Ed25519 private key; every service holds the public key(s) and verifies
signature, issuer, audience and expiry on every request. Several public keys may be configured at
once so that the gateway's key can be rotated without downtime; the token's ``kid`` header picks
the key.
"""

from __future__ import annotations

import base64
import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared.principal import Principal

ALGORITHM = "EdDSA"
_PEM_END = b"-----END PUBLIC KEY-----"


class InvalidServiceToken(Exception):
    """The token is missing, malformed, forged, expired or meant for another service."""


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.urlsafe_b64encode(hashlib.sha256(raw).digest()[:12]).decode().rstrip("=")


def generate_private_key_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_key_pem(private_key_pem: bytes) -> bytes:
    return (
        load_private_key(private_key_pem)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def load_private_key(pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the service-token signing key must be an Ed25519 private key")
    return key


def load_public_keys(pems: bytes) -> dict[str, Ed25519PublicKey]:
    """Parse one or more concatenated PEM public keys into a map kid -> key."""
    keys: dict[str, Ed25519PublicKey] = {}
    for block in pems.split(_PEM_END):
        if not block.strip():
            continue
        key = serialization.load_pem_public_key(block.strip() + b"\n" + _PEM_END + b"\n")
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("service-token public keys must be Ed25519 keys")
        keys[key_id(key)] = key
    if not keys:
        raise ValueError("no service-token public key found")
    return keys


def development_keypair(var_dir: Path) -> tuple[bytes, bytes]:
    """The development key pair under ``var_dir/keys``, created on first use.

    Only for the embedded default (``make run``): production reads its keys from settings.
    """
    key_dir = var_dir / "keys"
    private_path = key_dir / "service-token.key"
    if not private_path.exists():
        key_dir.mkdir(parents=True, exist_ok=True)
        tmp = private_path.with_suffix(".tmp")
        tmp.write_bytes(generate_private_key_pem())
        tmp.chmod(0o600)
        tmp.replace(private_path)
    private_pem = private_path.read_bytes()
    return private_pem, public_key_pem(private_pem)


@dataclass(frozen=True)
class ServiceTokenSigner:
    private_key: Ed25519PrivateKey
    issuer: str = "kafaat-gateway"
    lifetime_seconds: int = 60

    @classmethod
    def from_pem(cls, pem: bytes, **kwargs: Any) -> ServiceTokenSigner:
        return cls(private_key=load_private_key(pem), **kwargs)

    @property
    def kid(self) -> str:
        return key_id(self.private_key.public_key())

    def sign(self, principal: Principal, audience: str, *, request_id: str | None = None) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": audience,
            "iat": now,
            "exp": now + self.lifetime_seconds,
            "jti": uuid4().hex,
            "sub": principal.subject,
            "knd": principal.kind,
        }
        if principal.role is not None:
            claims["role"] = principal.role.value
        if principal.regions:
            claims["regions"] = list(principal.regions)
        if principal.scopes:
            claims["scopes"] = list(principal.scopes)
        for field in ("association_id", "provider_id", "partner_id"):
            value = getattr(principal, field)
            if value is not None:
                claims[field] = str(value)
        if request_id:
            claims["rid"] = request_id
        return jwt.encode(claims, self.private_key, algorithm=ALGORITHM, headers={"kid": self.kid})


@dataclass(frozen=True)
class SignedTokenVerifier:
    """Checks EdDSA JWTs against the public keys of their issuer, picked by ``kid``."""

    public_keys: dict[str, Ed25519PublicKey]
    audience: str
    issuer: str = "kafaat-gateway"
    leeway_seconds: int = 5

    def decode(
        self,
        token: str,
        *,
        required: tuple[str, ...],
        invalid: type[Exception],
        token_type: str | None = None,
    ) -> dict[str, Any]:
        """The token's claims. Only EdDSA is accepted ('none' and HMAC key confusion are
        refused); a wrong ``typ`` or an unknown key raises ``invalid``; PyJWT's own errors are
        left to the caller to word."""
        header = jwt.get_unverified_header(token)
        if token_type is not None and header.get("typ") != token_type:
            raise invalid("not an access token")
        key = self.public_keys.get(str(header.get("kid")))
        if key is None:
            raise invalid("unknown signing key")
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=self.audience,
            issuer=self.issuer,
            leeway=self.leeway_seconds,
            options={"require": list(required)},
        )
        return claims


@dataclass(frozen=True)
class ServiceTokenVerifier(SignedTokenVerifier):
    def verify(self, token: str) -> Principal:
        try:
            claims = self.decode(
                token, required=("exp", "iat", "aud", "iss", "sub"), invalid=InvalidServiceToken
            )
            return Principal(
                subject=claims["sub"],
                kind=claims.get("knd", "anonymous"),
                role=claims.get("role"),
                regions=tuple(claims.get("regions", ())),
                scopes=tuple(claims.get("scopes", ())),
                association_id=claims.get("association_id"),
                provider_id=claims.get("provider_id"),
                partner_id=claims.get("partner_id"),
            )
        except InvalidServiceToken:
            raise
        except (jwt.PyJWTError, ValueError) as exc:
            raise InvalidServiceToken(str(exc)) from exc
