from __future__ import annotations

from typing import Annotated, Any, Self

from limits import parse
from pydantic import AnyHttpUrl, Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode

from gateway.routing import DEFAULT_MAX_UPLOAD_BYTES
from shared.forwarded import Network, parse_networks
from shared.settings import BaseServiceSettings, service_config

ARGON2_MIN_MEMORY_KIB = 19 * 1024


class Settings(BaseServiceSettings):
    """Settings of the gateway, read from ``KAFAAT_GATEWAY_*`` environment variables."""

    model_config = service_config("KAFAAT_GATEWAY_")

    offers_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8001")
    beneficiaries_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8002")
    network_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8003")

    # Upstream HTTP client: a service that does not accept a connection within
    # ``connect_timeout`` is down (503); one that has not answered within ``upstream_deadline``
    # is too slow (504).
    connect_timeout: float = Field(default=2.0, gt=0, le=30)
    upstream_deadline: float = Field(default=15.0, gt=0, le=300)
    pool_timeout: float = Field(default=2.0, gt=0, le=30)
    max_connections_per_service: int = Field(default=100, ge=1, le=2000)

    # Regional views: each service's figures are asked for concurrently, each call with this
    # deadline (a view never waits for the sum); a service that failed ``breaker_threshold``
    # times in a row is skipped at once for ``breaker_cooldown_seconds``, then tried again.
    view_deadline: float = Field(default=3.0, gt=0, le=60)
    breaker_threshold: int = Field(default=3, ge=1, le=100)
    breaker_cooldown_seconds: float = Field(default=30.0, gt=0, le=3600)

    # Ed25519 private key (PEM) that signs service tokens; generated under var/ in development.
    service_token_private_key: SecretStr | None = None
    service_token_issuer: str = "kafaat-gateway"
    service_token_lifetime_seconds: int = Field(default=60, ge=5, le=60)

    # Networks of the proxies in front (the edge, the ingress), comma-separated CIDRs: only their
    # X-Forwarded-For/-Proto/-Host are believed. Empty: trust none (the socket peer is the client).
    trusted_proxies: Annotated[list[Network], NoDecode] = []
    # Shared with the edge proxy (nginx) that calls the forward-auth endpoint; unset disables it.
    edge_secret: SecretStr | None = None

    # Access tokens of people and API clients: EdDSA JWTs signed with a key of their own (not the
    # service-token key), generated under var/ in development. Previous public keys keep tokens
    # signed before a key rotation valid until they expire.
    access_token_private_key: SecretStr | None = None
    access_token_previous_public_keys: SecretStr | None = None
    access_token_audience: str = "kafaat-api"
    access_token_lifetime_seconds: int = Field(default=900, ge=60, le=900)
    refresh_token_lifetime_days: int = Field(default=14, ge=1, le=90)

    # Argon2id parameters (OWASP minimum: 19 MiB, 2 passes, 1 lane); hashes made with other
    # parameters are upgraded at the next successful login.
    password_hash_memory_kib: int = Field(default=ARGON2_MIN_MEMORY_KIB, ge=ARGON2_MIN_MEMORY_KIB)
    password_hash_time_cost: int = Field(default=2, ge=2, le=20)
    password_hash_parallelism: int = Field(default=1, ge=1, le=16)

    # Login hardening: this many failures within the lockout period lock the email for it.
    login_max_failures: int = Field(default=5, ge=1, le=100)
    login_lockout_seconds: int = Field(default=900, ge=1, le=86_400)

    # Rate limits (``limits`` notation, e.g. "600/minute"): shared through Redis when set.
    redis_url: SecretStr | None = None
    rate_limit_key_prefix: str = Field(default="kafaat-gateway", min_length=1, max_length=100)
    rate_limit_per_ip: str = "600/minute"
    rate_limit_per_principal: str = "300/minute"
    rate_limit_auth_per_ip: str = "20/minute"

    # Larger request bodies get 413 before they are read.
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    # Bulk files (``routing.UPLOADS``: the offers import, run as a job) may be this large.
    max_upload_bytes: int = Field(default=DEFAULT_MAX_UPLOAD_BYTES, ge=1024)
    # Browser origins granted CORS, comma-separated (``https://app.kafaat.ma``); none by default.
    cors_origins: Annotated[list[str], NoDecode] = []
    hsts_max_age_seconds: int = Field(default=31_536_000, ge=0)

    @model_validator(mode="after")
    def _require_signing_key_in_production(self) -> Self:
        if self.is_production and self.service_token_private_key is None:
            raise ValueError(
                "KAFAAT_GATEWAY_SERVICE_TOKEN_PRIVATE_KEY is required in production: "
                "set it to the gateway's Ed25519 private key (PEM)"
            )
        return self

    @model_validator(mode="after")
    def _require_access_token_key_in_production(self) -> Self:
        if self.is_production and self.access_token_private_key is None:
            raise ValueError(
                "KAFAAT_GATEWAY_ACCESS_TOKEN_PRIVATE_KEY is required in production: "
                "set it to an Ed25519 private key (PEM) other than the service-token key"
            )
        return self

    @field_validator(
        "access_token_private_key", "access_token_previous_public_keys", "redis_url", mode="before"
    )
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        # Compose and .env files spell "not set" as an empty value.
        return None if value == "" else value

    @field_validator("rate_limit_per_ip", "rate_limit_per_principal", "rate_limit_auth_per_ip")
    @classmethod
    def _parse_rate_limit(cls, value: str) -> str:
        try:
            parse(value)
        except ValueError as exc:
            raise ValueError(f"'{value}' is not a rate limit such as '600/minute'") from exc
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_networks(cls, value: Any) -> Any:
        return parse_networks(value) if isinstance(value, str) else value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("cors_origins")
    @classmethod
    def _check_origins(cls, origins: list[str]) -> list[str]:
        origins = [origin.rstrip("/") for origin in origins]
        for origin in origins:
            scheme, _, rest = origin.partition("://")
            if scheme not in ("http", "https") or not rest or "/" in rest or "*" in rest:
                raise ValueError(
                    f"'{origin}' is not an origin such as 'https://app.kafaat.ma' "
                    "(no path, no wildcard)"
                )
        return origins

    def service_urls(self) -> dict[str, str]:
        return {
            "offers": str(self.offers_url).rstrip("/"),
            "beneficiaries": str(self.beneficiaries_url).rstrip("/"),
            "network": str(self.network_url).rstrip("/"),
        }
