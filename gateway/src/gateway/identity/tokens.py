"""Access tokens, refresh tokens and API-client secrets.

Access tokens (RFC 9068 style, ``typ: at+jwt``) are EdDSA JWTs signed with the gateway's
access-token key, for the audience ``kafaat-api``: a key and an audience of their own, so an access
token is never accepted as a service token and a service token never as an access token. They are
verified without any database query, which keeps the proxy path fast; in exchange a revocation
(logout, a disabled account or client) takes effect within their lifetime (at most 15 minutes).

Refresh tokens and client secrets are random strings with 256 bits of entropy; only their SHA-256
is stored. A slow password hash would add nothing for secrets that cannot be guessed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gateway.settings import Settings
from shared.principal import Principal, Role
from shared.settings import Environment
from shared.tokens import (
    ALGORITHM,
    SignedTokenVerifier,
    generate_private_key_pem,
    key_id,
    load_private_key,
    load_public_keys,
)

TOKEN_TYPE = "at+jwt"
CLIENT_SECRET_PREFIX = "kcs_"
_REQUIRED_CLAIMS = ("exp", "iat", "aud", "iss", "sub", "knd")


class InvalidAccessToken(Exception):
    """The token is malformed, forged, expired, or not an access token for this API."""


def development_private_key(var_dir: Path) -> bytes:
    """The development access-token key under ``var_dir/keys``, created on first use."""
    key_dir = var_dir / "keys"
    path = key_dir / "access-token.key"
    if not path.exists():
        key_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(generate_private_key_pem())
        tmp.chmod(0o600)
        tmp.replace(path)
    return path.read_bytes()


def signing_key(settings: Settings) -> Ed25519PrivateKey:
    if settings.access_token_private_key is not None:
        pem = settings.access_token_private_key.get_secret_value().encode()
    elif settings.environment is Environment.TEST:
        # Tests that do not care about the key get a throw-away one, nothing written to disk.
        pem = generate_private_key_pem()
    else:
        # Development only: production refuses to start without a key (see the settings).
        pem = development_private_key(settings.var_dir)
    return load_private_key(pem)


@dataclass(frozen=True)
class AccessTokenSigner:
    private_key: Ed25519PrivateKey
    issuer: str
    audience: str
    lifetime_seconds: int

    @property
    def kid(self) -> str:
        return key_id(self.private_key.public_key())

    def sign(self, principal: Principal, *, expires_at: float | None = None) -> tuple[str, int]:
        """The token and its lifetime in seconds; ``expires_at`` may shorten it (never extend)."""
        now = int(time.time())
        expiry = now + self.lifetime_seconds
        if expires_at is not None:
            expiry = min(expiry, int(expires_at))
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "iat": now,
            "exp": expiry,
            "jti": uuid4().hex,
            "sub": principal.subject,
            "knd": principal.kind,
        }
        if principal.role is not None:
            claims["role"] = principal.role.value
        if principal.regions:
            claims["regions"] = list(principal.regions)
        if principal.scopes:
            claims["scope"] = " ".join(principal.scopes)
        if principal.kind == "client":
            claims["client_id"] = principal.subject
        for field in ("association_id", "provider_id", "partner_id"):
            value = getattr(principal, field)
            if value is not None:
                claims[field] = str(value)
        token = jwt.encode(
            claims,
            self.private_key,
            algorithm=ALGORITHM,
            headers={"kid": self.kid, "typ": TOKEN_TYPE},
        )
        return token, expiry - now


@dataclass(frozen=True)
class VerifiedAccessToken:
    principal: Principal
    expires_at: float


@dataclass(frozen=True)
class AccessTokenVerifier(SignedTokenVerifier):
    def verify(self, token: str) -> VerifiedAccessToken:
        try:
            claims = self.decode(
                token, required=_REQUIRED_CLAIMS, invalid=InvalidAccessToken, token_type=TOKEN_TYPE
            )
            if "act" in claims:
                # A service acting for someone (a peer token) never passes for that someone here.
                raise InvalidAccessToken("an access token names no acting service")
            kind = claims["knd"]
            if kind not in ("user", "client"):
                raise InvalidAccessToken("unknown kind of caller")
            scope = claims.get("scope", "")
            principal = Principal(
                subject=claims["sub"],
                kind=kind,
                role=Role(claims["role"]) if "role" in claims else None,
                regions=tuple(claims.get("regions", ())),
                scopes=tuple(scope.split()) if isinstance(scope, str) else (),
                association_id=claims.get("association_id"),
                provider_id=claims.get("provider_id"),
                partner_id=claims.get("partner_id"),
            )
        except InvalidAccessToken:
            raise
        except jwt.ExpiredSignatureError as exc:
            raise InvalidAccessToken("the token has expired") from exc
        except jwt.InvalidAudienceError as exc:
            raise InvalidAccessToken("the token is meant for another audience") from exc
        except jwt.InvalidSignatureError as exc:
            raise InvalidAccessToken("the signature does not match") from exc
        except (jwt.PyJWTError, ValueError, TypeError, KeyError) as exc:
            raise InvalidAccessToken("the token is malformed") from exc
        return VerifiedAccessToken(principal=principal, expires_at=float(claims["exp"]))


def access_token_keys(settings: Settings) -> tuple[AccessTokenSigner, AccessTokenVerifier]:
    private_key = signing_key(settings)
    signer = AccessTokenSigner(
        private_key=private_key,
        issuer=settings.service_token_issuer,
        audience=settings.access_token_audience,
        lifetime_seconds=settings.access_token_lifetime_seconds,
    )
    public_keys = {signer.kid: private_key.public_key()}
    if settings.access_token_previous_public_keys is not None:
        previous = settings.access_token_previous_public_keys.get_secret_value().encode()
        public_keys = {**load_public_keys(previous), **public_keys}
    verifier = AccessTokenVerifier(
        public_keys=public_keys,
        issuer=settings.service_token_issuer,
        audience=settings.access_token_audience,
    )
    return signer, verifier


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def new_client_secret() -> str:
    return CLIENT_SECRET_PREFIX + secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(secret_hash(secret), stored_hash)


def user_principal(
    user_id: UUID,
    role: Role,
    regions: tuple[str, ...],
    association_id: UUID | None,
    provider_id: UUID | None,
    partner_id: UUID | None,
) -> Principal:
    return Principal(
        subject=str(user_id),
        kind="user",
        role=role,
        regions=regions,
        association_id=association_id,
        provider_id=provider_id,
        partner_id=partner_id,
    )
