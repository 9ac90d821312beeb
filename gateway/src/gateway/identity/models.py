"""Tables of the identity database: people, their sessions, API clients and login throttles."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gateway.database import Base
from shared.db import UTCDateTime, utcnow
from shared.principal import Role

EMAIL_MAX_LENGTH = 320


class User(Base):
    """A person who signs in. ``email_key`` is the case-folded email that must be unique."""

    __tablename__ = "user_account"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=uuid4)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH))
    email_key: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(
        Enum(
            Role,
            native_enum=False,
            length=32,
            values_callable=lambda roles: [role.value for role in roles],
        )
    )
    association_id: Mapped[UUID | None] = mapped_column(Uuid, index=True)
    provider_id: Mapped[UUID | None] = mapped_column(Uuid, index=True)
    partner_id: Mapped[UUID | None] = mapped_column(Uuid, index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    region_rows: Mapped[list[UserRegion]] = relationship(
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="UserRegion.region_code",
    )

    @property
    def regions(self) -> tuple[str, ...]:
        return tuple(row.region_code for row in self.region_rows)


class UserRegion(Base):
    """One region of a person's scope (a table, so scope rules can be queried)."""

    __tablename__ = "user_account_region"

    user_id: Mapped[UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    region_code: Mapped[str] = mapped_column(String(2), primary_key=True, index=True)


class LoginThrottle(Base):
    """Failed sign-ins per email, known or not, so a lockout reveals nothing about accounts."""

    __tablename__ = "login_throttle"

    email_key: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH), primary_key=True)
    failure_count: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RefreshTokenFamily(Base):
    """One sign-in session: every refresh token rotated from the same login."""

    __tablename__ = "refresh_token_family"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=uuid4)
    user_id: Mapped[UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(32))


class RefreshToken(Base):
    """A refresh token, stored as the SHA-256 of its value; ``used_at`` is set by rotation."""

    __tablename__ = "refresh_token"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=uuid4)
    family_id: Mapped[UUID] = mapped_column(
        ForeignKey("refresh_token_family.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    family: Mapped[RefreshTokenFamily] = relationship(lazy="raise")


class ApiClient(Base):
    """A client system (a region's IT) using OAuth2 client credentials."""

    __tablename__ = "api_client"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=uuid4)
    name: Mapped[str] = mapped_column(String(200))
    secret_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    regions: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[UUID | None] = mapped_column(Uuid)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    @property
    def client_id(self) -> str:
        return str(self.id)
