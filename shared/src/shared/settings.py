"""Settings base: every service subclasses it with its own environment prefix."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Self, TypedDict

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


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
    """Settings of a service that trusts the gateway's service tokens (and its peers')."""

    # One or more PEM-encoded Ed25519 public keys of the gateway (several during a key rotation).
    service_token_public_keys: SecretStr | None = None
    service_token_issuer: str = "kafaat-gateway"
    service_token_leeway_seconds: int = Field(default=5, ge=0, le=60)
    # The services that may call this one for their callers, as a JSON object: peer name -> its
    # PEM public key(s) (several during a rotation). Which routes each may call, the routes say
    # (``require(peers=...)``). None by default: only the gateway's tokens are accepted.
    peers: Annotated[dict[str, SecretStr], NoDecode] = {}

    @field_validator("peers", mode="before")
    @classmethod
    def _parse_peers(cls, value: Any) -> Any:
        if isinstance(value, str):
            if not value.strip():
                return {}
            try:
                # strict=False: a PEM's line breaks may stand unescaped inside the JSON string
                # (as compose and Kubernetes secrets hand multi-line keys over).
                return json.loads(value, strict=False)
            except ValueError as exc:
                raise ValueError(
                    'peers is a JSON object: {"<service>": "<PEM public key(s)>"}'
                ) from exc
        return value

    @model_validator(mode="after")
    def _peers_are_services(self) -> Self:
        if self.service_token_issuer in self.peers:
            raise ValueError(f"'{self.service_token_issuer}' is the gateway, not a peer")
        return self

    @model_validator(mode="after")
    def _require_keys_in_production(self) -> Self:
        if self.is_production and self.service_token_public_keys is None:
            prefix = self.model_config.get("env_prefix", "")
            raise ValueError(
                f"{prefix}SERVICE_TOKEN_PUBLIC_KEYS is required in production: "
                "set it to the gateway's PEM public key(s)"
            )
        return self


class PeerCallerSettings(ServiceTokenVerifierSettings):
    """Settings of a service that also calls peer services for its callers
    (:mod:`shared.peers`): the key it signs their tokens with, and how long it waits."""

    # Its own Ed25519 private key (PEM), never the gateway's; the peers it calls list the
    # public key. Generated under var/ in development; required in production.
    peer_token_private_key: SecretStr | None = None
    peer_token_lifetime_seconds: int = Field(default=60, ge=5, le=60)
    # A peer that does not accept a connection within ``peer_connect_timeout`` is down (503);
    # one that has not answered within ``peer_timeout`` too.
    peer_connect_timeout: float = Field(default=2.0, gt=0, le=30)
    peer_timeout: float = Field(default=10.0, gt=0, le=120)

    @field_validator("peer_token_private_key", mode="before")
    @classmethod
    def _empty_key_is_unset(cls, value: Any) -> Any:
        return None if value == "" else value

    @model_validator(mode="after")
    def _require_peer_key_in_production(self) -> Self:
        if self.is_production and self.peer_token_private_key is None:
            prefix = self.model_config.get("env_prefix", "")
            raise ValueError(
                f"{prefix}PEER_TOKEN_PRIVATE_KEY is required in production: set it to this "
                "service's own Ed25519 private key (PEM), not the gateway's"
            )
        return self


class WorkerOptions(TypedDict):
    """The keyword arguments of :class:`shared.jobs.Worker` that settings give."""

    lease_seconds: float
    heartbeat_seconds: float
    poll_seconds: float
    max_attempts: int


class JobWorkerSettings(BaseSettings):
    """How a service's durable job workers (:class:`shared.jobs.Worker`) hold their jobs: mixed
    into the settings of a service that runs some, beside its own count of workers."""

    # A running job's lease, renewed by its worker every heartbeat: a job whose worker stopped
    # (killed, crashed) is resumed by another worker once its lease expires.
    job_lease_seconds: float = Field(default=20.0, gt=0, le=600)
    job_heartbeat_seconds: float = Field(default=2.0, gt=0, le=120)
    job_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    # Tries of one job (a try ends with the service stopping under it) before it is failed.
    job_max_attempts: int = Field(default=3, ge=1, le=20)

    def worker_options(self) -> WorkerOptions:
        """The keyword arguments of :class:`shared.jobs.Worker` these settings give."""
        return {
            "lease_seconds": self.job_lease_seconds,
            "heartbeat_seconds": self.job_heartbeat_seconds,
            "poll_seconds": self.job_poll_seconds,
            "max_attempts": self.job_max_attempts,
        }


def service_config(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=prefix, extra="ignore", env_file=None)
