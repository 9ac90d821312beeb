"""The rules of identity: signing in, sessions, people, client systems.

Services flush; the request's session commits. The exceptions are failures that must leave a
trace although the request fails (a failed sign-in counts towards a lockout, a reused refresh
token revokes its family): those commit before raising.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from gateway.identity import repository
from gateway.identity.dependencies import Identity
from gateway.identity.models import ApiClient, RefreshToken, User
from gateway.identity.organisations import verified_scope
from gateway.identity.passwords import Passwords, check_policy
from gateway.identity.schemas import (
    ApiClientCreate,
    ApiClientQuery,
    ApiClientRead,
    ApiClientUpdate,
    ClientToken,
    TokenPair,
    UserCreate,
    UserQuery,
    UserRead,
    UserUpdate,
)
from gateway.identity.scopes import (
    ORGANISATION_FIELDS,
    ManagementScope,
    UserScope,
    management_scope,
    scope_problems,
)
from gateway.identity.tokens import (
    new_client_secret,
    new_refresh_token,
    secret_hash,
    secret_matches,
    user_principal,
)
from gateway.proxy import Proxy
from shared.concurrency import check_if_match
from shared.db import utcnow
from shared.pagination import Page, PageParams
from shared.principal import Principal
from shared.problems import (
    ProblemError,
    conflict,
    invalid,
    not_found,
    reason_text,
    stale_record,
)
from shared.translations import quantity

logger = logging.getLogger("kafaat.gateway.identity")

# Failed sign-ins older than this are forgotten (a lockout lasts far less).
_THROTTLE_MEMORY = timedelta(days=1)


def email_key(email: str) -> str:
    """The form under which an email is unique: case and surrounding spaces do not count."""
    return email.strip().casefold()


def principal_of(user: User) -> Principal:
    return user_principal(
        user.id,
        user.role,
        user.regions,
        user.association_id,
        user.provider_id,
        user.partner_id,
    )


# --- signing in -------------------------------------------------------------------------------


def _invalid_credentials() -> ProblemError:
    # One answer for an unknown email, a wrong password and a disabled account.
    return ProblemError(
        401,
        "invalid_credentials",
        slug="invalid-credentials",
        headers={"WWW-Authenticate": 'Bearer realm="kafaat"'},
    )


def _locked(until: datetime, now: datetime) -> ProblemError:
    seconds = max(1, math.ceil((until - now).total_seconds()))
    minutes = math.ceil(seconds / 60)
    return ProblemError(
        429,
        "sign_in_locked",
        params={"duration": quantity("minutes", minutes)},
        slug="sign-in-locked",
        headers={"Retry-After": str(seconds)},
    )


async def _count_attempt(session: AsyncSession, identity: Identity, key: str, now: datetime) -> int:
    """Count this attempt before its password is checked, in a transaction of its own, so
    that concurrent attempts cannot all pass a check made before any of them failed: past the
    limit, or while a lockout lasts, 429 without checking the password. The attempts so far."""
    settings = identity.settings
    lockout = timedelta(seconds=settings.login_lockout_seconds)
    await session.commit()  # what the request read before is not part of the attempt
    count, locked_until = await repository.count_attempt(session, key, now, lockout=lockout)
    if locked_until is None and count > settings.login_max_failures:
        locked_until = now + lockout
        await repository.lock(session, key, locked_until)
    await session.commit()
    if locked_until is not None:
        raise _locked(locked_until, now)
    return count


async def _fail(
    session: AsyncSession,
    identity: Identity,
    key: str,
    now: datetime,
    attempts: int,
    problem: ProblemError,
) -> ProblemError:
    """The attempt is counted already: lock at the limit, commit (the request fails, the lock
    must stay), and answer."""
    settings = identity.settings
    await repository.forget_old_failures(session, now - _THROTTLE_MEMORY)
    if attempts >= settings.login_max_failures:
        await repository.lock(session, key, now + timedelta(seconds=settings.login_lockout_seconds))
    await session.commit()
    return problem


async def _issue_pair(
    session: AsyncSession, identity: Identity, user: User, family_id: UUID, now: datetime
) -> TokenPair:
    refresh_token = new_refresh_token()
    lifetime = timedelta(days=identity.settings.refresh_token_lifetime_days)
    await repository.add_refresh_token(
        session, family_id, secret_hash(refresh_token), now, now + lifetime
    )
    access_token, expires_in = identity.signer.sign(principal_of(user))
    return TokenPair(
        access_token=access_token,
        expires_in=expires_in,
        refresh_token=refresh_token,
        refresh_expires_in=int(lifetime.total_seconds()),
    )


async def login(session: AsyncSession, identity: Identity, email: str, password: str) -> TokenPair:
    now = utcnow()
    key = email_key(email)
    attempts = await _count_attempt(session, identity, key, now)
    user = await repository.get_user_by_email_key(session, key)
    if user is None:
        await identity.passwords.verify_against_nobody(password)
        raise await _fail(session, identity, key, now, attempts, _invalid_credentials())
    if not await identity.passwords.verify(user.password_hash, password) or not user.active:
        raise await _fail(session, identity, key, now, attempts, _invalid_credentials())
    await repository.clear_failures(session, key)
    if identity.passwords.needs_rehash(user.password_hash):
        # The configured cost changed since this hash was made: upgrade it while we can.
        user.password_hash = await identity.passwords.hash(password)
    user.last_login_at = now
    family = await repository.add_family(session, user.id, now)
    return await _issue_pair(session, identity, user, family.id, now)


def _invalid_refresh_token() -> ProblemError:
    return ProblemError(
        401,
        "invalid_refresh_token",
        slug="invalid-refresh-token",
        headers={"WWW-Authenticate": 'Bearer realm="kafaat"'},
    )


async def refresh(session: AsyncSession, identity: Identity, refresh_token: str) -> TokenPair:
    """Rotate: a new pair for a valid refresh token, which stops working.

    A refresh token presented a second time was copied, by the person or by a thief: which one
    cannot be told, so the whole family (this sign-in session) is revoked.
    """
    now = utcnow()
    stored = await repository.get_refresh_token(session, secret_hash(refresh_token))
    if stored is None or stored.family.revoked_at is not None or stored.expires_at <= now:
        raise _invalid_refresh_token()
    if not await repository.mark_used(session, stored.id, now):
        await _revoke(session, stored, now, "reuse")
        logger.warning(
            "refresh token reused: session revoked",
            extra={"fields": {"user_id": str(stored.family.user_id)}},
        )
        raise _invalid_refresh_token()
    user = await repository.get_user(session, stored.family.user_id)
    if user is None or not user.active:
        await _revoke(session, stored, now, "inactive")
        raise _invalid_refresh_token()
    return await _issue_pair(session, identity, user, stored.family_id, now)


async def _revoke(session: AsyncSession, stored: RefreshToken, now: datetime, reason: str) -> None:
    await repository.revoke_family(session, stored.family_id, now, reason)
    await session.commit()


async def logout(session: AsyncSession, refresh_token: str) -> None:
    """Revoke the session of this refresh token; an unknown token is already signed out."""
    stored = await repository.get_refresh_token(session, secret_hash(refresh_token))
    if stored is not None:
        await repository.revoke_family(session, stored.family_id, utcnow(), "logout")


async def signed_in_user(session: AsyncSession, principal: Principal) -> User:
    user = await repository.get_user(session, UUID(principal.subject))
    if user is None or not user.active:
        raise ProblemError(
            401,
            "account_disabled",
            slug="unauthenticated",
            headers={"WWW-Authenticate": 'Bearer realm="kafaat"'},
        )
    return user


async def change_password(
    session: AsyncSession,
    identity: Identity,
    principal: Principal,
    current_password: str,
    new_password: str,
) -> TokenPair:
    """Set a new password, sign out every other session, and answer a fresh pair."""
    now = utcnow()
    user = await signed_in_user(session, principal)
    attempts = await _count_attempt(session, identity, user.email_key, now)
    if not await identity.passwords.verify(user.password_hash, current_password):
        wrong = ProblemError(
            422,
            "current_password_wrong",
            slug="validation",
            errors=[("body.current_password", "password_mismatch")],
        )
        raise await _fail(session, identity, user.email_key, now, attempts, wrong)
    # The right password: the attempt is over, whatever the new password's fate.
    await repository.clear_failures(session, user.email_key)
    await session.commit()
    check_policy(new_password, user.email, field="body.new_password")
    await _set_password(session, identity, user, new_password, now)
    family = await repository.add_family(session, user.id, now)
    return await _issue_pair(session, identity, user, family.id, now)


async def _set_password(
    session: AsyncSession, identity: Identity, user: User, password: str, now: datetime
) -> None:
    user.password_hash = await identity.passwords.hash(password)
    user.password_changed_at = now
    await repository.revoke_user_families(session, user.id, now, "password")


async def _claim_next_version(session: AsyncSession, record: User | ApiClient) -> None:
    """Move the record to its next version only if it is still at the one read: of writers who
    read the same version (and passed ``If-Match``) one wins, the others get 412. A conditional
    UPDATE rather than the mapper's ``version_id_col``, which would make every other write of
    the row (a sign-in's ``last_login_at``) fail against a concurrent change."""
    model = type(record)
    claimed = await session.execute(
        update(model)
        .where(model.id == record.id, model.version == record.version)
        .values(version=record.version + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise stale_record()
    set_committed_value(record, "version", record.version + 1)


# --- people -----------------------------------------------------------------------------------


def _scope_of(user: User) -> UserScope:
    return UserScope(
        role=user.role,
        regions=user.regions,
        association_id=user.association_id,
        provider_id=user.provider_id,
        partner_id=user.partner_id,
    )


def _manager_scope(principal: Principal) -> ManagementScope:
    scope = management_scope(principal)
    if scope is None:
        raise ProblemError(403, "role_manages_nobody", slug="forbidden")
    return scope


def _check_scope(manager: ManagementScope, scope: UserScope) -> None:
    problems = scope_problems(scope)
    if problems:
        raise ProblemError(
            422,
            "role_scope_mismatch",
            slug="validation",
            errors=problems,
        )
    if not manager.covers(scope):
        raise ProblemError(
            403,
            "outside_your_scope",
            slug="outside-your-scope",
        )


def _email_taken(email: str) -> ProblemError:
    return conflict(
        "email_taken", params={"email": email}, slug="email-taken", field="email", reason="taken"
    )


async def create_user(
    session: AsyncSession,
    identity: Identity,
    proxy: Proxy,
    principal: Principal,
    data: UserCreate,
) -> User:
    """Create a person; the organisation they are bound to is vouched for by its service
    (:mod:`gateway.identity.organisations`)."""
    manager = _manager_scope(principal)
    scope = UserScope(
        role=data.role,
        regions=tuple(data.regions),
        association_id=data.association_id,
        provider_id=data.provider_id,
        partner_id=data.partner_id,
    )
    _check_scope(manager, scope)
    scope = await verified_scope(proxy, principal, scope)
    check_policy(data.password, data.email)
    key = email_key(data.email)
    if await repository.email_taken(session, key, other_than=None):
        raise _email_taken(data.email)
    now = utcnow()
    user = User(
        email=data.email,
        email_key=key,
        full_name=data.full_name,
        role=data.role,
        association_id=data.association_id,
        provider_id=data.provider_id,
        partner_id=data.partner_id,
        active=data.active,
        password_hash=await identity.passwords.hash(data.password),
        password_changed_at=now,
        version=1,
        created_at=now,
        updated_at=now,
    )
    if not await repository.add_user(session, user, list(scope.regions)):
        raise _email_taken(data.email)
    return user


async def add_account(
    session: AsyncSession,
    passwords: Passwords,
    *,
    email: str,
    full_name: str,
    password: str,
    scope: UserScope,
) -> User | None:
    """Create an account from the command line or the demo seed (no manager involved);
    None when the email is taken. The caller checks the password policy."""
    problems = scope_problems(scope)
    if problems:
        raise ValueError("; ".join(f"{field}: {reason_text(reason)}" for field, reason in problems))
    if await repository.email_taken(session, email_key(email), other_than=None):
        return None
    now = utcnow()
    user = User(
        email=email.strip(),
        email_key=email_key(email),
        full_name=full_name,
        role=scope.role,
        association_id=scope.association_id,
        provider_id=scope.provider_id,
        partner_id=scope.partner_id,
        active=True,
        password_hash=await passwords.hash(password),
        password_changed_at=now,
        version=1,
        created_at=now,
        updated_at=now,
    )
    if not await repository.add_user(session, user, scope.regions):
        return None
    return user


async def list_users(
    session: AsyncSession, principal: Principal, filters: UserQuery, page: PageParams
) -> Page[UserRead]:
    email = email_key(filters.email) if filters.email else None
    users, next_cursor = await repository.list_users(
        session, _manager_scope(principal), filters, email, page
    )
    return Page[UserRead](
        items=[UserRead.model_validate(user) for user in users], next_cursor=next_cursor
    )


async def get_user(session: AsyncSession, principal: Principal, user_id: UUID) -> User:
    manager = _manager_scope(principal)
    user = await repository.get_user(session, user_id)
    # Someone outside the caller's scope answers like someone who does not exist.
    if user is None or not manager.covers(_scope_of(user)):
        raise not_found("person", user_id)
    return user


async def update_user(
    session: AsyncSession,
    identity: Identity,
    proxy: Proxy,
    principal: Principal,
    user_id: UUID,
    data: UserUpdate,
    if_match: str | None,
) -> User:
    manager = _manager_scope(principal)
    user = await get_user(session, principal, user_id)
    check_if_match(if_match, user.version)
    changes = data.model_dump(exclude_unset=True)
    for field in ("email", "full_name", "role", "regions", "active", "password"):
        if field in changes and changes[field] is None:
            raise invalid([(field, "not_null")])
    scope_fields = {"role", "regions", "active", *ORGANISATION_FIELDS}
    if str(user.id) == principal.subject and scope_fields & changes.keys():
        raise ProblemError(
            403,
            "own_scope_locked",
            slug="forbidden",
        )
    current = _scope_of(user)
    scope = UserScope(
        role=changes.get("role", current.role),
        regions=tuple(changes.get("regions", current.regions)),
        association_id=changes.get("association_id", current.association_id),
        provider_id=changes.get("provider_id", current.provider_id),
        partner_id=changes.get("partner_id", current.partner_id),
    )
    _check_scope(manager, scope)
    if {"role", "regions", *ORGANISATION_FIELDS} & changes.keys():
        scope = await verified_scope(proxy, principal, scope)
    now = utcnow()
    if "email" in changes:
        key = email_key(changes["email"])
        if await repository.email_taken(session, key, other_than=user.id):
            raise _email_taken(changes["email"])
        user.email, user.email_key = changes["email"], key
    if "password" in changes:
        check_policy(changes["password"], user.email)
        await _set_password(session, identity, user, changes["password"], now)
    if "full_name" in changes:
        user.full_name = changes["full_name"]
    if changes.get("active") is False and user.active:
        await repository.revoke_user_families(session, user.id, now, "disabled")
    if "active" in changes:
        user.active = changes["active"]
    user.role = scope.role
    user.association_id = scope.association_id
    user.provider_id = scope.provider_id
    user.partner_id = scope.partner_id
    repository.set_regions(user, scope.regions)
    await _claim_next_version(session, user)
    user.updated_at = now
    await session.flush()
    return user


# --- client systems ---------------------------------------------------------------------------


def _check_future(expires_at: datetime | None) -> None:
    if expires_at is not None and expires_at <= utcnow():
        raise invalid([("expires_at", "not_in_future")])


async def create_client(
    session: AsyncSession, principal: Principal, data: ApiClientCreate
) -> tuple[ApiClient, str]:
    """The new client and its secret, which is never shown again."""
    _check_future(data.expires_at)
    secret = new_client_secret()
    now = utcnow()
    client = ApiClient(
        name=data.name,
        secret_hash=secret_hash(secret),
        scopes=[str(scope) for scope in data.scopes],
        regions=list(data.regions),
        active=True,
        expires_at=data.expires_at,
        created_by=UUID(principal.subject),
        version=1,
        created_at=now,
        updated_at=now,
    )
    await repository.add_client(session, client)
    return client, secret


async def list_clients(
    session: AsyncSession, filters: ApiClientQuery, page: PageParams
) -> Page[ApiClientRead]:
    clients, next_cursor = await repository.list_clients(session, filters, page)
    return Page[ApiClientRead](
        items=[ApiClientRead.model_validate(client) for client in clients],
        next_cursor=next_cursor,
    )


async def get_client(session: AsyncSession, client_id: UUID) -> ApiClient:
    client = await repository.get_client(session, client_id)
    if client is None:
        raise not_found("API client", client_id)
    return client


async def update_client(
    session: AsyncSession, client_id: UUID, data: ApiClientUpdate, if_match: str | None
) -> ApiClient:
    client = await get_client(session, client_id)
    check_if_match(if_match, client.version)
    changes = data.model_dump(exclude_unset=True)
    for field in ("name", "scopes", "regions", "active"):
        if field in changes and changes[field] is None:
            raise invalid([(field, "not_null")])
    if "expires_at" in changes:
        _check_future(changes["expires_at"])
        client.expires_at = changes["expires_at"]
    if "name" in changes:
        client.name = changes["name"]
    if "scopes" in changes:
        client.scopes = [str(scope) for scope in changes["scopes"]]
    if "regions" in changes:
        client.regions = list(changes["regions"])
    if "active" in changes:
        client.active = changes["active"]
    await _claim_next_version(session, client)
    client.updated_at = utcnow()
    await session.flush()
    return client


async def rotate_client_secret(
    session: AsyncSession, client_id: UUID, if_match: str | None
) -> tuple[ApiClient, str]:
    client = await get_client(session, client_id)
    check_if_match(if_match, client.version)
    secret = new_client_secret()
    client.secret_hash = secret_hash(secret)
    await _claim_next_version(session, client)
    client.updated_at = utcnow()
    await session.flush()
    return client, secret


class OAuthProblem(Exception):
    """An RFC 6749 §5.2 error: answered as ``{"error": ..., "error_description": ...}``."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


def _invalid_client() -> OAuthProblem:
    # One answer for an unknown client, a wrong secret, a disabled and an expired client.
    return OAuthProblem("invalid_client", "Client authentication failed.", 401)


async def client_credentials(
    session: AsyncSession,
    identity: Identity,
    client_id: str,
    client_secret: str,
    requested_scopes: list[str] | None,
) -> ClientToken:
    """RFC 6749 §4.4: a token carrying the requested scopes (all granted ones by default)."""
    try:
        parsed_id = UUID(client_id)
    except ValueError:
        parsed_id = None
    client = await repository.get_client(session, parsed_id) if parsed_id else None
    # Hash even for an unknown client, so the answer takes the same time.
    stored_hash = client.secret_hash if client is not None else secret_hash("")
    matches = secret_matches(client_secret, stored_hash)
    if client is None or not matches:
        raise _invalid_client()
    now = utcnow()
    if not client.active or (client.expires_at is not None and client.expires_at <= now):
        raise _invalid_client()
    granted = list(client.scopes)
    if requested_scopes is None:
        scopes = granted
    else:
        not_granted = sorted(set(requested_scopes) - set(granted))
        if not_granted:
            raise OAuthProblem(
                "invalid_scope", f"Scopes not granted to this client: {' '.join(not_granted)}."
            )
        scopes = [scope for scope in granted if scope in requested_scopes]
    principal = Principal(
        subject=str(client.id), kind="client", scopes=tuple(scopes), regions=tuple(client.regions)
    )
    expires_at = client.expires_at.timestamp() if client.expires_at is not None else None
    token, expires_in = identity.signer.sign(principal, expires_at=expires_at)
    await repository.touch_client(session, client.id, now)
    return ClientToken(access_token=token, expires_in=expires_in, scope=" ".join(scopes))
