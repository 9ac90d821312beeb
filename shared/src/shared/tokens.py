"""Service tokens: short-lived EdDSA JWTs signed by the gateway, or by a peer service.

The gateway holds the Ed25519 private key; every service holds the public key(s) and verifies
signature, issuer, audience and expiry on every request. Several public keys may be configured at
once so that the gateway's key can be rotated without downtime; the token's ``kid`` header picks
the key.

A service that calls another for its caller (beneficiaries reserving a seat in offers) signs a
*peer token* with a key of its own (:class:`PeerTokenSigner`): the issuer is the calling service,
the subject and its claims are the original caller's, and ``act`` names the acting service
(RFC 8693 §4.1, nested when the caller was itself a service acting for someone). The receiving
service keeps one key set per issuer: the gateway's keys verify only tokens issued as the gateway
and carrying no ``act``; a peer's keys verify only tokens issued as that peer, typed as peer
tokens, whose ``act`` names it. So a peer key never passes for the gateway's, and (typed and
issued differently, with keys the gateway does not hold) never for an access token either.
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import uuid4

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared.principal import Principal

ALGORITHM = "EdDSA"
GATEWAY_ISSUER = "kafaat-gateway"
# The ``typ`` header of peer tokens: never the gateway's (none) nor an access token's (at+jwt).
PEER_TOKEN_TYPE = "kafaat-peer+jwt"
# How deep an ``act`` chain may nest (a service acting for a service acting for a person).
MAX_ACTORS = 4
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


def development_keypair(var_dir: Path, name: str = "service-token") -> tuple[bytes, bytes]:
    """The development key pair ``name`` under ``var_dir/keys``, created on first use (the
    gateway's ``service-token``, a service's ``<service>-peer-token``).

    Only for the embedded default (``make run``): production reads its keys from settings.
    """
    key_dir = var_dir / "keys"
    private_path = key_dir / f"{name}.key"
    if not private_path.exists():
        key_dir.mkdir(parents=True, exist_ok=True)
        tmp = private_path.with_suffix(".tmp")
        tmp.write_bytes(generate_private_key_pem())
        tmp.chmod(0o600)
        tmp.replace(private_path)
    private_pem = private_path.read_bytes()
    return private_pem, public_key_pem(private_pem)


def principal_claims(principal: Principal) -> dict[str, Any]:
    """The caller's identity as a token carries it (``sub``, ``knd``, role, regions, …)."""
    claims: dict[str, Any] = {"sub": principal.subject, "knd": principal.kind}
    if principal.role is not None:
        claims["role"] = principal.role.value
    if principal.regions:
        claims["regions"] = list(principal.regions)
    if principal.scopes:
        claims["scopes"] = list(principal.scopes)
    for name in ("association_id", "provider_id", "partner_id"):
        value = getattr(principal, name)
        if value is not None:
            claims[name] = str(value)
    return claims


def act_claim(actors: tuple[str, ...]) -> dict[str, Any]:
    """RFC 8693 ``act`` for ``actors`` (the current actor first, earlier ones nested in it)."""
    claim: dict[str, Any] = {"sub": actors[-1]}
    for actor in reversed(actors[:-1]):
        claim = {"sub": actor, "act": claim}
    return claim


def actors_of(claim: object) -> tuple[str, ...]:
    """The chain of actors an ``act`` claim names, the current one first."""
    actors: list[str] = []
    while claim is not None:
        if not isinstance(claim, dict) or not isinstance(claim.get("sub"), str):
            raise ValueError("malformed act claim")
        if len(actors) >= MAX_ACTORS:
            raise ValueError("act claim nested too deep")
        actors.append(claim["sub"])
        claim = claim.get("act")
    return tuple(actors)


@dataclass(frozen=True)
class ServiceTokenSigner:
    private_key: Ed25519PrivateKey
    issuer: str = GATEWAY_ISSUER
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
            **principal_claims(principal),
        }
        if request_id:
            claims["rid"] = request_id
        return jwt.encode(claims, self.private_key, algorithm=ALGORITHM, headers={"kid": self.kid})


@dataclass(frozen=True)
class PeerTokenSigner:
    """Signs, with a service's own key, the token of a call it makes to a peer for its caller.

    The issuer is the service's name and can never be the gateway's; the caller's claims are
    carried as the gateway put them, and ``act`` names this service (nesting the services that
    already acted for the caller).
    """

    private_key: Ed25519PrivateKey
    service: str
    lifetime_seconds: int = 60

    def __post_init__(self) -> None:
        if not self.service or self.service == GATEWAY_ISSUER:
            raise ValueError(f"a peer token is issued by a service, not by '{self.service}'")

    @classmethod
    def from_pem(cls, pem: bytes, service: str, **kwargs: Any) -> PeerTokenSigner:
        return cls(private_key=load_private_key(pem), service=service, **kwargs)

    @property
    def kid(self) -> str:
        return key_id(self.private_key.public_key())

    def sign(self, principal: Principal, audience: str, *, request_id: str | None = None) -> str:
        if principal.is_anonymous:
            raise ValueError("a service acts for an authenticated caller only")
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.service,
            "aud": audience,
            "iat": now,
            "exp": now + self.lifetime_seconds,
            "jti": uuid4().hex,
            **principal_claims(principal),
            "act": act_claim((self.service, *principal.actors)),
        }
        if request_id:
            claims["rid"] = request_id
        headers = {"kid": self.kid, "typ": PEER_TOKEN_TYPE}
        return jwt.encode(claims, self.private_key, algorithm=ALGORITHM, headers=headers)


@dataclass(frozen=True)
class SignedTokenVerifier:
    """Checks EdDSA JWTs against the public keys of their issuer, picked by ``kid``."""

    public_keys: Mapping[str, Ed25519PublicKey]
    audience: str
    issuer: str = GATEWAY_ISSUER
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
    """Verifies the tokens a service accepts: the gateway's, and those of the peers it lists.

    ``peers`` maps a peer service's name (its tokens' issuer) to its public keys. Each issuer is
    checked against its own keys only, and the kind of token must match the issuer: no ``act``
    and no peer type from the gateway; the peer type and an ``act`` naming the issuer from a
    peer. Which routes a peer may call is the routes' policies' business (``shared.policy``).
    """

    peers: Mapping[str, Mapping[str, Ed25519PublicKey]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.issuer in self.peers:
            raise ValueError(f"a peer cannot be named like the gateway's issuer '{self.issuer}'")
        for peer, keys in self.peers.items():
            if set(keys) & set(self.public_keys):
                raise ValueError(f"peer '{peer}' holds one of the gateway's service-token keys")

    def verify(self, token: str) -> Principal:
        try:
            claims = self._claims(token)
            return Principal(
                subject=claims["sub"],
                kind=claims.get("knd", "anonymous"),
                role=claims.get("role"),
                regions=tuple(claims.get("regions", ())),
                scopes=tuple(claims.get("scopes", ())),
                association_id=claims.get("association_id"),
                provider_id=claims.get("provider_id"),
                partner_id=claims.get("partner_id"),
                actors=actors_of(claims.get("act")),
            )
        except InvalidServiceToken:
            raise
        except (jwt.PyJWTError, ValueError) as exc:
            raise InvalidServiceToken(str(exc)) from exc

    def _claims(self, token: str) -> dict[str, Any]:
        required = ("exp", "iat", "aud", "iss", "sub")
        unverified = jwt.decode(token, options={"verify_signature": False})
        issuer = unverified.get("iss") if isinstance(unverified, dict) else None
        if issuer == self.issuer:
            if jwt.get_unverified_header(token).get("typ") == PEER_TOKEN_TYPE:
                raise InvalidServiceToken("a peer token cannot be issued as the gateway")
            claims = self.decode(token, required=required, invalid=InvalidServiceToken)
            if "act" in claims:
                raise InvalidServiceToken("a gateway token names no acting service")
            return claims
        if not isinstance(issuer, str) or issuer not in self.peers:
            raise InvalidServiceToken("tokens of this issuer are not accepted here")
        peer = SignedTokenVerifier(
            public_keys=self.peers[issuer],
            audience=self.audience,
            issuer=issuer,
            leeway_seconds=self.leeway_seconds,
        )
        claims = peer.decode(
            token,
            required=(*required, "act"),
            invalid=InvalidServiceToken,
            token_type=PEER_TOKEN_TYPE,
        )
        if actors_of(claims["act"])[:1] != (issuer,):
            raise InvalidServiceToken("the acting service is not the token's issuer")
        return claims
