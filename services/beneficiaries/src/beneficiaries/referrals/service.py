"""Referrals of people to training sessions, and their seat in the offers service.

Two databases, never half-written: the referral is stored ``pending`` (with the job that will
settle it) and committed *before* offers is called; offers reserves the seat for the referral's
author with the referral's id as Idempotency-Key; then the referral is confirmed ``referred``
with its reservation. If offers is away, or the answer is lost, the caller gets 503 and the
worker (``referrals.worker``) settles the pending referral later, a restart included: it asks
offers again with the same key (so it finds the seat an earlier try took, never a second one),
confirms it, fails the referral when offers refuses the seat, and after
``referral_give_up_seconds`` releases the seat and fails the referral. So no seat is held that
no referral knows about, and no referral shows ``referred`` without its reservation.

Provider staff see and move (accept, reject, enrol, complete) the referrals to their provider's
sessions, with the person's name and contact only, and only while the person's consent to share
with providers is in force. Rejecting or dropping gives the seat back first. Every read and
change is audited.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from uuid import UUID, uuid4

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.access import Access
from beneficiaries.audit import service as audit_service
from beneficiaries.consents import service as consents_service
from beneficiaries.encryption import Vault
from beneficiaries.jobs import store as job_store
from beneficiaries.people import service as people_service
from beneficiaries.referrals import offers, repository
from beneficiaries.referrals.models import ACTIVE_STATUSES, Referral, ReferralEvent
from beneficiaries.referrals.schemas import (
    ReferralCreate,
    ReferralEventRead,
    ReferralMove,
    ReferralQuery,
    ReferralRead,
    ReferralStatus,
    ReferralTransition,
    ReferredPerson,
)
from beneficiaries.vocabulary import AuditAction, AuditPurpose, ConsentPurpose
from shared.concurrency import check_if_match
from shared.db import utcnow
from shared.pagination import Page, PageParams
from shared.peers import PeerClient, PeerUnavailable
from shared.principal import Principal, Role
from shared.problems import ProblemError, invalid, msg, not_found

logger = logging.getLogger(__name__)

KIND = "referral"
SETTLE_JOB = "referral-settle"
# The author of what the service settles by itself (a pending referral confirmed or failed).
SERVICE_AUTHOR = "service:beneficiaries"
# Under way: the statuses the unique index of the model names (one active referral per session).
ACTIVE = tuple(ReferralStatus(status) for status in ACTIVE_STATUSES)
# The moves people make, from each status.
MOVES: dict[ReferralStatus, frozenset[ReferralMove]] = {
    ReferralStatus.REFERRED: frozenset(
        {ReferralMove.ACCEPTED, ReferralMove.REJECTED, ReferralMove.DROPPED}
    ),
    ReferralStatus.ACCEPTED: frozenset(
        {ReferralMove.ENROLLED, ReferralMove.REJECTED, ReferralMove.DROPPED}
    ),
    ReferralStatus.ENROLLED: frozenset({ReferralMove.COMPLETED, ReferralMove.DROPPED}),
}
# What only the training provider (and admins) decide; anyone who sees it may drop it.
PROVIDER_MOVES = frozenset(
    {ReferralMove.ACCEPTED, ReferralMove.REJECTED, ReferralMove.ENROLLED, ReferralMove.COMPLETED}
)
# Moves that give the seat back in offers (a completed training keeps its seat).
RELEASING = frozenset({ReferralMove.REJECTED, ReferralMove.DROPPED})
NEEDS_REASON = RELEASING


class Scope:
    """Which referrals a caller sees: beneficiaries' Access, plus provider staff's provider."""

    def __init__(self, access: Access) -> None:
        principal = access.principal
        self.access = access
        self.provider_id: UUID | None = (
            principal.provider_id
            if principal.kind == "user" and principal.role is Role.PROVIDER_STAFF
            else None
        )
        self.clause = repository.visible(
            everything=access.everything,
            association_id=access.association_id,
            provider_id=self.provider_id,
        )

    @property
    def sees_any(self) -> bool:
        return self.access.sees_people or self.provider_id is not None

    @property
    def purpose(self) -> AuditPurpose:
        return AuditPurpose.OVERSIGHT if self.access.everything else AuditPurpose.REFERRAL


def author_of(referral: Referral) -> Principal:
    """The referral's author, for whom the service handles the seat in offers (offers lets
    the author read and release their own reservation)."""
    return Principal(
        subject=referral.referred_by,
        kind="user",
        role=Role(referral.referrer_role),
        association_id=referral.association_id,
    )


def missing_consent() -> ProblemError:
    purpose = ConsentPurpose.SHARING_WITH_PROVIDERS.value
    return ProblemError(
        409,
        "consent_missing",
        params={"consent": purpose},
        slug="consent-missing",
        extra={"consent": purpose},
    )


def offers_down(error: PeerUnavailable, referral_id: UUID | None = None) -> ProblemError:
    if referral_id is None:
        return error.as_problem("offers_down_nothing_changed")
    problem = error.as_problem("offers_down_referral_pending")
    problem.extra["referral_id"] = str(referral_id)
    return problem


def _event(
    referral: Referral, status: ReferralStatus, author: str, role: str | None, reason: str | None
) -> ReferralEvent:
    return ReferralEvent(
        id=uuid4(),
        referral_id=referral.id,
        status=status.value,
        reason=reason,
        author=author,
        author_role=role,
        occurred_at=utcnow(),
    )


def _role(principal: Principal) -> str | None:
    return None if principal.role is None else principal.role.value


async def get_visible(db: AsyncSession, scope: Scope, referral_id: UUID) -> Referral:
    referral = await repository.get(db, referral_id, scope.clause)
    if referral is None:
        raise not_found(KIND, referral_id)
    return referral


async def to_reads(
    db: AsyncSession, vault: Vault, referrals: Sequence[Referral]
) -> list[ReferralRead]:
    ids = [referral.id for referral in referrals]
    events: dict[UUID, list[ReferralEventRead]] = {referral_id: [] for referral_id in ids}
    for event in await repository.history(db, ids):
        events[event.referral_id].append(ReferralEventRead.model_validate(event))
    people = await repository.people(db, [referral.beneficiary_id for referral in referrals])
    reads = []
    for referral in referrals:
        person = people[referral.beneficiary_id]
        reads.append(
            ReferralRead(
                id=referral.id,
                beneficiary_id=referral.beneficiary_id,
                association_id=referral.association_id,
                session_id=referral.session_id,
                provider_id=referral.provider_id,
                status=ReferralStatus(referral.status),
                reason=referral.reason,
                reservation_id=referral.reservation_id,
                referred_by=referral.referred_by,
                person=ReferredPerson(
                    first_name=person.first_name,
                    last_name=person.last_name,
                    phone=people_service.decrypted(vault, person, "phone"),
                    email=person.email,
                ),
                history=events[referral.id],
                version=referral.version,
                created_at=referral.created_at,
                updated_at=referral.updated_at,
            )
        )
    return reads


async def read(db: AsyncSession, scope: Scope, vault: Vault, referral: Referral) -> ReferralRead:
    await audit_service.record(
        db, scope.access, action=AuditAction.READ, purpose=scope.purpose,
        records=[referral.beneficiary_id],
    )  # fmt: skip
    (answer,) = await to_reads(db, vault, [referral])
    return answer


async def list_referrals(
    db: AsyncSession, scope: Scope, vault: Vault, filters: ReferralQuery, page: PageParams
) -> Page[ReferralRead]:
    if not scope.sees_any:
        raise people_service.nobody_here()
    rows, next_cursor = await repository.list_page(
        db,
        scope.clause,
        status=filters.status,
        beneficiary_id=filters.beneficiary_id,
        session_id=filters.session_id,
        updated_since=filters.updated_since,
        page=page,
    )
    await audit_service.record(
        db, scope.access, action=AuditAction.LIST, purpose=scope.purpose,
        records=[row.beneficiary_id for row in rows],
    )  # fmt: skip
    return Page[ReferralRead](items=await to_reads(db, vault, rows), next_cursor=next_cursor)


def already_referred(existing_id: UUID | None) -> ProblemError:
    if existing_id is None:
        return ProblemError(409, "already_referred", slug="already-referred")
    return ProblemError(
        409,
        "already_referred_as",
        params={"existing_id": existing_id},
        slug="already-referred",
        extra={"existing_id": str(existing_id)},
    )


async def refer(
    db: AsyncSession,
    access: Access,
    client: PeerClient,
    data: ReferralCreate,
    with_intent: Callable[[Referral], Awaitable[None]] | None = None,
) -> Referral:
    """Refer a person of the caller's association to a session; commits twice (the intent,
    then its confirmation), since offers must be called between the two. ``with_intent`` writes
    what must be durable with the intent (the request's idempotency key, so that a twin sent at
    the same time finds it or loses at once rather than making a second referral)."""
    principal = access.principal
    beneficiary = await people_service.get_changeable(db, access, data.beneficiary_id)
    if not await consents_service.consent_in_force(
        db, beneficiary.id, ConsentPurpose.SHARING_WITH_PROVIDERS
    ):
        raise missing_consent()
    active = list(ACTIVE_STATUSES)
    existing = await repository.active_for(db, beneficiary.id, data.session_id, active)
    if existing is not None:
        raise already_referred(existing.id)
    try:
        session = await offers.session(client, principal, data.session_id)
    except offers.SessionRefused as refused:
        raise invalid([("session_id", "no_offers_session")]) from refused
    except PeerUnavailable as down:
        raise offers_down(down) from down
    now = utcnow()
    referral = Referral(
        id=uuid4(),
        beneficiary_id=beneficiary.id,
        association_id=beneficiary.association_id,
        session_id=session.session_id,
        provider_id=session.provider_id,
        status=ReferralStatus.PENDING.value,
        referred_by=principal.subject,
        referrer_role=_role(principal) or Role.ADMIN.value,
        created_at=now,
        updated_at=now,
    )
    db.add(referral)
    try:
        async with db.begin_nested():
            await db.flush()
    except IntegrityError as exc:
        # A referral of the person to the session made at the same time won the unique index.
        raise already_referred(None) from exc
    await repository.add_event(
        db, _event(referral, ReferralStatus.PENDING, principal.subject, _role(principal), None)
    )
    await job_store.enqueue(
        db,
        kind=SETTLE_JOB,
        owner=principal.subject,
        payload={"referral_id": str(referral.id)},
        job_id=referral.id,
    )
    await audit_service.record(
        db, access, action=AuditAction.CREATE, purpose=AuditPurpose.REFERRAL,
        records=[beneficiary.id],
    )  # fmt: skip
    if with_intent is not None:
        await with_intent(referral)
    # The intent is durable before offers is called: whatever happens next, the worker knows.
    await db.commit()
    try:
        reservation_id = await offers.reserve(
            client, author_of(referral), session.session_id, referral.id
        )
    except PeerUnavailable as down:
        raise offers_down(down, referral.id) from down
    except offers.SessionRefused as refused:
        await _fail(db, referral, str(refused), principal.subject, _role(principal))
        await db.commit()
        raise ProblemError(
            409,
            "seat_refused",
            params={"error": str(refused)},
            slug=refused.error.slug or "seat-refused",
            extra={"referral_id": str(referral.id)},
        ) from refused
    await _confirm(db, referral, reservation_id, principal.subject, _role(principal))
    return referral


async def _confirm(
    db: AsyncSession, referral: Referral, reservation_id: UUID, author: str, role: str | None
) -> None:
    moved = await repository.move_if(
        db,
        referral,
        ReferralStatus.PENDING.value,
        {
            "status": ReferralStatus.REFERRED.value,
            "reservation_id": reservation_id,
            "updated_at": utcnow(),
        },
    )
    if moved:
        await repository.add_event(
            db, _event(referral, ReferralStatus.REFERRED, author, role, None)
        )
    else:  # the worker settled it meanwhile (with the same reservation)
        await db.refresh(referral)


async def _fail(
    db: AsyncSession, referral: Referral, reason: str, author: str, role: str | None
) -> bool:
    reason = reason[:500]
    moved = await repository.move_if(
        db,
        referral,
        ReferralStatus.PENDING.value,
        {"status": ReferralStatus.FAILED.value, "reason": reason, "updated_at": utcnow()},
    )
    if moved:
        await repository.add_event(
            db, _event(referral, ReferralStatus.FAILED, author, role, reason)
        )
    return moved


async def settle(
    db: AsyncSession, client: PeerClient, referral_id: UUID, give_up_after: timedelta
) -> bool:
    """Finish or give up one pending referral (the worker's step); False when offers is away
    and it must be tried again later. Commits what it settled."""
    referral = await repository.get_any(db, referral_id)
    if referral is None or referral.status != ReferralStatus.PENDING:
        return True
    author = author_of(referral)
    give_up = utcnow() - referral.created_at > give_up_after
    try:
        reservation_id = await offers.reserve(client, author, referral.session_id, referral.id)
        if give_up:
            await offers.release(client, author, referral.session_id, reservation_id)
    except PeerUnavailable:
        return False
    except offers.SessionRefused as refused:
        changed = await _fail(db, referral, str(refused), SERVICE_AUTHOR, None)
    else:
        if give_up:
            reason = "The offers service could not confirm the seat in time; it was released."
            changed = await _fail(db, referral, reason, SERVICE_AUTHOR, None)
        else:
            await _confirm(db, referral, reservation_id, SERVICE_AUTHOR, None)
            changed = True
    if changed:
        await audit_service.record(
            db, Access(author), action=AuditAction.UPDATE, purpose=AuditPurpose.REFERRAL,
            records=[referral.beneficiary_id],
        )  # fmt: skip
    await db.commit()
    logger.info("referral %s settled: %s", referral.id, referral.status)
    return True


def move_issues(scope: Scope, referral: Referral, data: ReferralTransition) -> ProblemError | None:
    current = ReferralStatus(referral.status)
    if data.status not in MOVES.get(current, frozenset()):
        return ProblemError(
            409,
            "referral_transition",
            params={"current": current.value, "wanted": data.status.value},
            slug="invalid-transition",
            extra={"status": current.value},
        )
    if data.status in PROVIDER_MOVES and not (scope.access.everything or scope.provider_id):
        return ProblemError(
            403,
            "provider_moves_referral",
            slug="forbidden",
        )
    if data.status in NEEDS_REASON and not data.reason:
        return invalid([("reason", msg("reason_required", status=data.status.value))])
    return None


async def move(
    db: AsyncSession,
    scope: Scope,
    client: PeerClient,
    referral: Referral,
    data: ReferralTransition,
    if_match: str | None,
) -> Referral:
    """One step of the referral; a step that frees the seat releases it in offers first (if
    offers is away: 503, nothing changed)."""
    check_if_match(if_match, referral.version)
    problem = move_issues(scope, referral, data)
    if problem is not None:
        raise problem
    if data.status in RELEASING and referral.reservation_id is not None:
        try:
            await offers.release(
                client, author_of(referral), referral.session_id, referral.reservation_id
            )
        except PeerUnavailable as down:
            raise offers_down(down) from down
    principal = scope.access.principal
    previous = referral.status
    moved = await repository.move_if(
        db,
        referral,
        previous,
        {"status": data.status.value, "reason": data.reason, "updated_at": utcnow()},
    )
    if not moved:
        raise ProblemError(412, "referral_changed", slug="stale-version")
    status = ReferralStatus(data.status.value)
    await repository.add_event(
        db, _event(referral, status, principal.subject, _role(principal), data.reason)
    )
    await audit_service.record(
        db, scope.access, action=AuditAction.UPDATE, purpose=scope.purpose,
        records=[referral.beneficiary_id],
    )  # fmt: skip
    return referral
