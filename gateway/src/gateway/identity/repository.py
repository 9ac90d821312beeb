"""Every query of the identity domain."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import ColumnElement, Select, case, delete, exists, or_, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from gateway.identity.models import (
    ApiClient,
    LoginThrottle,
    RefreshToken,
    RefreshTokenFamily,
    User,
    UserRegion,
)
from gateway.identity.schemas import ApiClientQuery, UserQuery
from gateway.identity.scopes import ManagementScope
from shared.pagination import PageParams, SortKey, paginate, where_equal

# --- people -----------------------------------------------------------------------------------


def _users() -> Select[User]:
    return select(User).options(selectinload(User.region_rows))


async def get_user(session: AsyncSession, user_id: UUID) -> User | None:
    return (await session.scalars(_users().where(User.id == user_id))).one_or_none()


async def get_user_by_email_key(session: AsyncSession, email_key: str) -> User | None:
    return (await session.scalars(_users().where(User.email_key == email_key))).one_or_none()


async def email_taken(session: AsyncSession, email_key: str, *, other_than: UUID | None) -> bool:
    statement = select(User.id).where(User.email_key == email_key)
    if other_than is not None:
        statement = statement.where(User.id != other_than)
    return (await session.scalar(statement)) is not None


async def add_user(session: AsyncSession, user: User, regions: Sequence[str]) -> bool:
    """Insert the person; False when the email is taken (a concurrent twin included)."""
    user.region_rows = [UserRegion(region_code=code) for code in regions]
    try:
        async with session.begin_nested():
            session.add(user)
            await session.flush()
    except IntegrityError:
        return False
    return True


def set_regions(user: User, regions: Sequence[str]) -> None:
    kept = [row for row in user.region_rows if row.region_code in regions]
    present = {row.region_code for row in kept}
    user.region_rows = kept + [UserRegion(region_code=c) for c in regions if c not in present]


def _visible_to(scope: ManagementScope) -> ColumnElement[bool]:
    if scope.everyone:
        return true()
    clauses: list[ColumnElement[bool]] = [User.role.in_(sorted(scope.roles))]
    has_region = exists().where(UserRegion.user_id == User.id)
    if scope.regions_required:
        clauses.append(has_region)
    if scope.region_limit is not None:
        outside = exists().where(
            UserRegion.user_id == User.id,
            UserRegion.region_code.not_in(sorted(scope.region_limit)),
        )
        clauses.append(~outside)
    if scope.association_id is not None:
        clauses.append(User.association_id == scope.association_id)
    result = clauses[0]
    for clause in clauses[1:]:
        result = result & clause
    return result


async def list_users(
    session: AsyncSession,
    scope: ManagementScope,
    filters: UserQuery,
    email_key: str | None,
    page: PageParams,
) -> tuple[list[User], str | None]:
    statement = where_equal(
        _users().where(_visible_to(scope)),
        {
            User.role: filters.role,
            User.active: filters.active,
            User.email_key: email_key,
            User.association_id: filters.association_id,
            User.provider_id: filters.provider_id,
            User.partner_id: filters.partner_id,
        },
    )
    if filters.region is not None:
        statement = statement.where(
            exists().where(UserRegion.user_id == User.id, UserRegion.region_code == filters.region)
        )
    if filters.updated_since is not None:
        # Delta sync: in the order of change, so a client can resume from the last one it saw.
        statement = statement.where(User.updated_at >= filters.updated_since)
        keys = [SortKey(User.updated_at), SortKey(User.id)]
        return await paginate(session, statement, keys, page, order_name="updated")
    keys = [SortKey(User.created_at), SortKey(User.id)]
    return await paginate(session, statement, keys, page, order_name="created")


# --- failed sign-ins --------------------------------------------------------------------------


async def get_throttle(session: AsyncSession, email_key: str) -> LoginThrottle | None:
    return await session.get(LoginThrottle, email_key, populate_existing=True)


async def count_attempt(
    session: AsyncSession, email_key: str, now: datetime, *, lockout: timedelta
) -> tuple[int, datetime | None]:
    """Count a sign-in attempt before its password is checked, atomically (one conditional
    UPDATE, or the row's INSERT), so concurrent attempts each see the ones before them.

    Returns the attempts not followed by a success within the lockout period, this one
    included, or the end of the lockout in force (this attempt is then not counted).
    ``failure_count`` holds those attempts: failed ones and ones still being checked.
    """
    window_start = now - lockout
    counted = await session.execute(
        update(LoginThrottle)
        .where(
            LoginThrottle.email_key == email_key,
            or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now),
        )
        .values(
            # A lockout that has passed, or attempts older than the period, start afresh.
            failure_count=case(
                (
                    or_(
                        LoginThrottle.last_failure_at < window_start,
                        LoginThrottle.locked_until.is_not(None),
                    ),
                    1,
                ),
                else_=LoginThrottle.failure_count + 1,
            ),
            last_failure_at=now,
            locked_until=None,
        )
        .returning(LoginThrottle.failure_count)
    )
    count = counted.scalar_one_or_none()
    if count is not None:
        return count, None
    throttle = await get_throttle(session, email_key)
    if throttle is not None:
        if throttle.locked_until is not None and throttle.locked_until > now:
            return 0, throttle.locked_until
        # The row changed between the two statements: count again.
        return await count_attempt(session, email_key, now, lockout=lockout)
    try:
        async with session.begin_nested():
            session.add(LoginThrottle(email_key=email_key, failure_count=1, last_failure_at=now))
    except IntegrityError:
        # A concurrent attempt created the row first: count this one on it.
        return await count_attempt(session, email_key, now, lockout=lockout)
    return 1, None


async def lock(session: AsyncSession, email_key: str, until: datetime) -> None:
    await session.execute(
        update(LoginThrottle).where(LoginThrottle.email_key == email_key).values(locked_until=until)
    )


async def clear_failures(session: AsyncSession, email_key: str) -> None:
    await session.execute(delete(LoginThrottle).where(LoginThrottle.email_key == email_key))


async def forget_old_failures(session: AsyncSession, before: datetime) -> None:
    await session.execute(delete(LoginThrottle).where(LoginThrottle.last_failure_at < before))


# --- sessions (refresh-token families) --------------------------------------------------------


async def add_family(session: AsyncSession, user_id: UUID, now: datetime) -> RefreshTokenFamily:
    family = RefreshTokenFamily(user_id=user_id, created_at=now)
    session.add(family)
    await session.flush()
    return family


async def add_refresh_token(
    session: AsyncSession, family_id: UUID, token_hash: str, now: datetime, expires_at: datetime
) -> None:
    session.add(
        RefreshToken(
            family_id=family_id, token_hash=token_hash, created_at=now, expires_at=expires_at
        )
    )
    await session.flush()


async def get_refresh_token(session: AsyncSession, token_hash: str) -> RefreshToken | None:
    statement = (
        select(RefreshToken)
        .options(selectinload(RefreshToken.family))
        .where(RefreshToken.token_hash == token_hash)
    )
    return (await session.scalars(statement)).one_or_none()


async def mark_used(session: AsyncSession, token_id: UUID, now: datetime) -> bool:
    """Consume a refresh token; False when it was already used (by a concurrent refresh too)."""
    result = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == token_id, RefreshToken.used_at.is_(None))
        .values(used_at=now)
        .returning(RefreshToken.id)
    )
    return result.scalar_one_or_none() is not None


async def revoke_family(session: AsyncSession, family_id: UUID, now: datetime, reason: str) -> None:
    await session.execute(
        update(RefreshTokenFamily)
        .where(RefreshTokenFamily.id == family_id, RefreshTokenFamily.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    )


async def revoke_user_families(
    session: AsyncSession, user_id: UUID, now: datetime, reason: str
) -> None:
    await session.execute(
        update(RefreshTokenFamily)
        .where(RefreshTokenFamily.user_id == user_id, RefreshTokenFamily.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    )


# --- client systems ---------------------------------------------------------------------------


async def add_client(session: AsyncSession, client: ApiClient) -> None:
    session.add(client)
    await session.flush()


async def get_client(session: AsyncSession, client_id: UUID) -> ApiClient | None:
    return await session.get(ApiClient, client_id, populate_existing=True)


async def list_clients(
    session: AsyncSession, filters: ApiClientQuery, page: PageParams
) -> tuple[list[ApiClient], str | None]:
    statement = where_equal(select(ApiClient), {ApiClient.active: filters.active})
    keys = [SortKey(ApiClient.created_at), SortKey(ApiClient.id)]
    return await paginate(session, statement, keys, page, order_name="created")


async def touch_client(session: AsyncSession, client_id: UUID, now: datetime) -> None:
    await session.execute(
        update(ApiClient).where(ApiClient.id == client_id).values(last_used_at=now)
    )
