from __future__ import annotations

from typing import Self

from pydantic import AnyHttpUrl, Field, SecretStr, model_validator

from shared.settings import BaseServiceSettings, service_config


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

    # Ed25519 private key (PEM) that signs service tokens; generated under var/ in development.
    service_token_private_key: SecretStr | None = None
    service_token_issuer: str = "kafaat-gateway"
    service_token_lifetime_seconds: int = Field(default=60, ge=5, le=60)

    # Whether X-Forwarded-* from the client are kept (only behind a trusted edge proxy).
    trust_forwarded_headers: bool = False
    # Shared with the edge proxy (nginx) that calls the forward-auth endpoint; unset disables it.
    edge_secret: SecretStr | None = None

    @model_validator(mode="after")
    def _require_signing_key_in_production(self) -> Self:
        if self.is_production and self.service_token_private_key is None:
            raise ValueError(
                "KAFAAT_GATEWAY_SERVICE_TOKEN_PRIVATE_KEY is required in production: "
                "set it to the gateway's Ed25519 private key (PEM)"
            )
        return self

    def service_urls(self) -> dict[str, str]:
        return {
            "offers": str(self.offers_url).rstrip("/"),
            "beneficiaries": str(self.beneficiaries_url).rstrip("/"),
            "network": str(self.network_url).rstrip("/"),
        }
