"""Who is calling: the identity the gateway forwards inside its signed service token, and the
services that act for that caller when one service calls another (RFC 8693 ``act``)."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict


class Role(StrEnum):
    ADMIN = "admin"
    REGIONAL_COORDINATOR = "regional_coordinator"
    ASSOCIATION_MANAGER = "association_manager"
    COUNSELLOR = "counsellor"
    PROVIDER_STAFF = "provider_staff"
    PARTNER_MEMBER = "partner_member"
    VIEWER = "viewer"


PrincipalKind = Literal["user", "client", "anonymous"]


class Principal(BaseModel):
    """The caller of a request, as vouched for by the gateway.

    ``regions`` limits a regional coordinator or an API client; ``association_id``,
    ``provider_id`` and ``partner_id`` bind organisation-scoped roles; ``scopes`` are the OAuth2
    scopes granted to an API client.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    subject: str
    kind: PrincipalKind
    role: Role | None = None
    regions: tuple[str, ...] = ()
    association_id: UUID | None = None
    provider_id: UUID | None = None
    partner_id: UUID | None = None
    scopes: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()

    @property
    def acting_service(self) -> str | None:
        """The service that made this call for the caller, if a service did."""
        return self.actors[0] if self.actors else None

    @property
    def is_anonymous(self) -> bool:
        return self.kind == "anonymous"

    @property
    def is_admin(self) -> bool:
        return self.kind == "user" and self.role is Role.ADMIN


ANONYMOUS = Principal(subject="anonymous", kind="anonymous")
