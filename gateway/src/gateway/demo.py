"""Demo accounts of every role for ``make run`` (``kafaat run --demo``); never for production.

Everyone shares the password below; the README lists the accounts. The organisation ids are
fixed so that the services' demo data can refer to the same association, provider and partner.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.identity import service
from gateway.identity.dependencies import passwords_for
from gateway.identity.models import ApiClient
from gateway.identity.passwords import Passwords
from gateway.identity.scopes import UserScope
from gateway.identity.tokens import secret_hash
from gateway.settings import Settings
from shared.db import create_engine, create_sessionmaker, utcnow
from shared.demo import DEMO_PROVIDER_ID, Scale
from shared.principal import Role

DEMO_PASSWORD = "kafaat-demo-2026"
TANGER, ORIENTAL = "01", "02"
DEMO_ASSOCIATION_ID = UUID("6f1c2a4e-0d51-4c8e-9b0a-5a3e1d7c0001")
DEMO_PARTNER_ID = UUID("6f1c2a4e-0d51-4c8e-9b0a-5a3e1d7c0003")
DEMO_CLIENT_ID = UUID("6f1c2a4e-0d51-4c8e-9b0a-5a3e1d7c00c1")
DEMO_CLIENT_SECRET = "kcs_demo-tanger-regional-it-2026"

DEMO_ACCOUNTS: tuple[tuple[str, str, UserScope], ...] = (
    ("admin@demo.kafaat.ma", "Amina Admin", UserScope(role=Role.ADMIN)),
    (
        "coordinator.tanger@demo.kafaat.ma",
        "Karim Coordinator",
        UserScope(role=Role.REGIONAL_COORDINATOR, regions=(TANGER,)),
    ),
    (
        "coordinator.oriental@demo.kafaat.ma",
        "Salma Coordinator",
        UserScope(role=Role.REGIONAL_COORDINATOR, regions=(ORIENTAL,)),
    ),
    (
        "manager@demo.kafaat.ma",
        "Youssef Manager",
        UserScope(
            role=Role.ASSOCIATION_MANAGER, regions=(TANGER,), association_id=DEMO_ASSOCIATION_ID
        ),
    ),
    (
        "counsellor@demo.kafaat.ma",
        "Nadia Counsellor",
        UserScope(role=Role.COUNSELLOR, regions=(TANGER,), association_id=DEMO_ASSOCIATION_ID),
    ),
    (
        "provider@demo.kafaat.ma",
        "Omar Provider",
        UserScope(role=Role.PROVIDER_STAFF, regions=(TANGER,), provider_id=DEMO_PROVIDER_ID),
    ),
    (
        "partner@demo.kafaat.ma",
        "Leila Partner",
        UserScope(role=Role.PARTNER_MEMBER, regions=(TANGER,), partner_id=DEMO_PARTNER_ID),
    ),
    ("viewer@demo.kafaat.ma", "Hassan Viewer", UserScope(role=Role.VIEWER)),
)


async def _seed_accounts(session: AsyncSession, passwords: Passwords) -> None:
    for email, full_name, scope in DEMO_ACCOUNTS:
        # An account that exists already is left as it is (add_account answers None).
        await service.add_account(
            session,
            passwords,
            email=email,
            full_name=full_name,
            password=DEMO_PASSWORD,
            scope=scope,
        )
    if await session.get(ApiClient, DEMO_CLIENT_ID) is None:
        now = utcnow()
        session.add(
            ApiClient(
                id=DEMO_CLIENT_ID,
                name="Demo: regional IT of Tanger-Tétouan-Al Hoceïma",
                secret_hash=secret_hash(DEMO_CLIENT_SECRET),
                scopes=["offers:read", "offers:write", "network:read"],
                regions=[TANGER],
                active=True,
                version=1,
                created_at=now,
                updated_at=now,
            )
        )


async def seed(database_url: str, scale: Scale = Scale.PILOT) -> None:
    """Create the demo accounts that do not exist yet (safe to run again); the same at every
    scale."""
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            await _seed_accounts(session, passwords_for(Settings()))
            await session.commit()
    finally:
        await engine.dispose()
