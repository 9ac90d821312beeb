"""Request and response bodies of the identity API."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from gateway.identity.models import EMAIL_MAX_LENGTH
from shared.fields import Distinct, Email, RegionCode, text
from shared.principal import Role

PASSWORD_FIELD_MAX_LENGTH = 1024

# Regions and scopes are sets of permissions: a duplicate is refused (shared.fields.Distinct),
# and they are kept in one canonical order so two equal sets always read the same.
Regions = Annotated[list[RegionCode], Distinct, AfterValidator(sorted)]
FullName = Annotated[str, text(200)]
Password = Annotated[str, Field(min_length=1, max_length=PASSWORD_FIELD_MAX_LENGTH)]
OpaqueToken = Annotated[str, Field(min_length=1, max_length=200)]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- signing in -------------------------------------------------------------------------------


class LoginRequest(Input):
    email: Annotated[str, Field(min_length=1, max_length=EMAIL_MAX_LENGTH)]
    password: Password


class RefreshRequest(Input):
    refresh_token: OpaqueToken


class LogoutRequest(Input):
    refresh_token: OpaqueToken


class PasswordChange(Input):
    current_password: Password
    new_password: Password


class TokenPair(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int = Field(description="Seconds until the access token expires (at most 900)")
    refresh_token: str = Field(description="Single use: each refresh answers a new one")
    refresh_expires_in: int


class Me(BaseModel):
    id: UUID
    email: str
    full_name: str
    role: Role
    regions: list[str]
    association_id: UUID | None
    provider_id: UUID | None
    partner_id: UUID | None


# --- people -----------------------------------------------------------------------------------


class UserCreate(Input):
    email: Email
    full_name: FullName
    role: Role
    regions: Regions = []
    association_id: UUID | None = None
    provider_id: UUID | None = None
    partner_id: UUID | None = None
    password: Password
    active: bool = True


class UserUpdate(Input):
    """Only the fields sent change; ``null`` clears an organisation."""

    email: Email | None = None
    full_name: FullName | None = None
    role: Role | None = None
    regions: Regions | None = None
    association_id: UUID | None = None
    provider_id: UUID | None = None
    partner_id: UUID | None = None
    active: bool | None = None
    password: Password | None = Field(
        default=None, description="Sets a new password and signs the person out everywhere"
    )


class UserQuery(BaseModel):
    """``GET /api/v1/users``: the filters combine."""

    role: Role | None = None
    region: RegionCode | None = Field(default=None, description="People whose scope has it")
    active: bool | None = None
    email: str | None = Field(default=None, max_length=EMAIL_MAX_LENGTH)
    association_id: UUID | None = None
    provider_id: UUID | None = None
    partner_id: UUID | None = None
    updated_since: AwareDatetime | None = Field(
        default=None, description="Only people changed at or after this time (delta sync)"
    )


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    email: str
    full_name: str
    role: Role
    regions: list[str]
    association_id: UUID | None
    provider_id: UUID | None
    partner_id: UUID | None
    active: bool
    last_login_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int


# --- client systems ---------------------------------------------------------------------------


class ClientScope(StrEnum):
    """What an API client may be granted; services name these in their route policies."""

    OFFERS_READ = "offers:read"
    OFFERS_WRITE = "offers:write"
    # Reserve seats for the beneficiaries a system refers, in the client's regions.
    OFFERS_RESERVE = "offers:reserve"
    BENEFICIARIES_STATS = "beneficiaries:stats"
    NETWORK_READ = "network:read"
    NETWORK_WRITE = "network:write"


Scopes = Annotated[list[ClientScope], Field(min_length=1), Distinct, AfterValidator(sorted)]
ClientRegions = Annotated[list[RegionCode], Field(min_length=1), Distinct, AfterValidator(sorted)]


class ApiClientCreate(Input):
    name: FullName
    scopes: Scopes
    regions: ClientRegions = Field(description="The regions its data may concern")
    expires_at: AwareDatetime | None = None


class ApiClientUpdate(Input):
    name: FullName | None = None
    scopes: Scopes | None = None
    regions: ClientRegions | None = None
    active: bool | None = None
    expires_at: AwareDatetime | None = None


class ApiClientQuery(BaseModel):
    """``GET /api/v1/api-clients``."""

    active: bool | None = None


class ApiClientRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    client_id: str = Field(description="The identifier to send to /api/v1/auth/token")
    name: str
    scopes: list[str]
    regions: list[str]
    active: bool
    expires_at: datetime | None
    last_used_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int


class ApiClientCreated(ApiClientRead):
    client_secret: str = Field(description="Shown this once; only its hash is kept")


class ApiClientSecret(BaseModel):
    client_id: str
    client_secret: str = Field(description="Shown this once; the previous secret stops working")


class ClientToken(BaseModel):
    """RFC 6749 §5.1 access token response."""

    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int
    scope: str = Field(description="The granted scopes, space-separated")


class OAuthError(BaseModel):
    """RFC 6749 §5.2 error response."""

    error: Literal[
        "invalid_request",
        "invalid_client",
        "invalid_grant",
        "unauthorized_client",
        "unsupported_grant_type",
        "invalid_scope",
    ]
    error_description: str | None = None
