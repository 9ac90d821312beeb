"""Settings base: every service subclasses it with its own environment prefix."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class BaseServiceSettings(BaseSettings):
    """Settings common to every process of the platform.

    Subclasses set ``model_config = service_config("KAFAAT_OFFERS_")`` and a default database name.
    """

    model_config = SettingsConfigDict(extra="ignore", env_file=None)

    environment: Environment = Environment.DEVELOPMENT
    database_url: str = ""
    database_pool_size: int = Field(default=10, ge=1, le=200)
    database_echo: bool = False
    log_level: str = "INFO"
    log_json: bool = True
    # Directory for the embedded defaults (SQLite files, development keys).
    var_dir: Path = Path("var")

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.PRODUCTION

    def default_sqlite_url(self, name: str) -> str:
        return f"sqlite+aiosqlite:///{self.var_dir / (name + '.db')}"


class ServiceTokenVerifierSettings(BaseServiceSettings):
    """Settings of a service that trusts the gateway's service tokens."""

    # One or more PEM-encoded Ed25519 public keys of the gateway (several during a key rotation).
    service_token_public_keys: SecretStr | None = None
    service_token_issuer: str = "kafaat-gateway"
    service_token_leeway_seconds: int = Field(default=5, ge=0, le=60)

    @model_validator(mode="after")
    def _require_keys_in_production(self) -> Self:
        if self.is_production and self.service_token_public_keys is None:
            prefix = self.model_config.get("env_prefix", "")
            raise ValueError(
                f"{prefix}SERVICE_TOKEN_PUBLIC_KEYS is required in production: "
                "set it to the gateway's PEM public key(s)"
            )
        return self


def service_config(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=prefix, extra="ignore", env_file=None)
