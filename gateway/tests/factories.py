"""Identity rows written straight into the database (no HTTP): people and API clients for the
tests whose subject is something else. They go through the identity service, so the rows are
the ones the API would make; each factory commits, so the gateway under test sees them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.identity import service
from gateway.identity.models import ApiClient, User
from gateway.identity.passwords import Passwords
from gateway.identity.schemas import ApiClientCreate
from gateway.identity.scopes import UserScope
from shared.principal import Role
from shared.testing import make_principal

PASSWORD = "correct horse battery"


class Identities:
    def __init__(self, session: AsyncSession, passwords: Passwords) -> None:
        self.session = session
        self.passwords = passwords

    async def user(
        self, email: str, role: Role = Role.ADMIN, *, password: str = PASSWORD, **scope: Any
    ) -> User:
        """An active account (as the CLI makes one), named after its email. ``scope``: the
        other fields of ``UserScope`` (regions, association_id, provider_id, partner_id)."""
        user = await service.add_account(
            self.session,
            self.passwords,
            email=email,
            full_name=email.split("@")[0].title(),
            password=password,
            scope=UserScope(role=role, **scope),
        )
        if user is None:
            raise ValueError(f"an account already has the email {email}")
        await self.session.commit()
        return user

    async def api_client(
        self,
        *,
        name: str = "Tanger regional IT",
        scopes: Sequence[str] = ("offers:read",),
        regions: Sequence[str] = ("01",),
        expires_at: datetime | None = None,
    ) -> tuple[ApiClient, str]:
        """An active API client, created by an administrator, and its secret."""
        data = ApiClientCreate.model_validate(
            {
                "name": name,
                "scopes": list(scopes),
                "regions": list(regions),
                "expires_at": expires_at,
            }
        )
        created = await service.create_client(self.session, make_principal(), data)
        await self.session.commit()
        return created
