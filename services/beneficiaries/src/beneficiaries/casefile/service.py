"""The entry point of every part of a person's case file (journey, diagnosis, plan, actions,
outcomes, rights): the person, in the caller's scope, or 404 exactly like a missing one; and
the rule that an erased person's file takes no new personal data.

Every route under ``/v1/beneficiaries/{id}/…`` starts here, so a sub-route can never reach a
person its caller could not read.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from uuid import UUID

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.access import Access
from beneficiaries.audit import service as audit_service
from beneficiaries.casefile import repository
from beneficiaries.database import idempotency
from beneficiaries.people.models import Beneficiary
from beneficiaries.vocabulary import AuditAction, AuditPurpose
from shared.concurrency import json_with_etag
from shared.idempotency import fingerprint
from shared.problems import ProblemError, not_found


async def person(
    db: AsyncSession, access: Access, beneficiary_id: UUID, *, for_update: bool = False
) -> Beneficiary:
    """The person ``beneficiary_id`` if the caller may see them, else 404."""
    found = await repository.visible_person(db, access, beneficiary_id, for_update=for_update)
    if found is None:
        raise not_found("beneficiary", beneficiary_id)
    return found


async def changeable_person(db: AsyncSession, access: Access, beneficiary_id: UUID) -> Beneficiary:
    """The person, for a change of their case file: 404 outside the scope, 409 once erased."""
    found = await person(db, access, beneficiary_id, for_update=True)
    if not access.may_change(found):
        raise not_found("beneficiary", beneficiary_id)
    if found.erased_at is not None:
        raise ProblemError(
            409,
            "case_file_erased",
            slug="erased",
        )
    return found


async def audited(
    db: AsyncSession,
    access: Access,
    action: AuditAction,
    people: Sequence[UUID],
    purpose: AuditPurpose | None = None,
) -> None:
    """The audit entry of a case-file request, in its transaction (fail-closed: 503 when it
    cannot be written, and nothing read or changed is kept or answered)."""
    why = audit_service.purpose_of(access) if purpose is None else purpose
    await audit_service.record(db, access, action=action, purpose=why, records=people)


async def create_once(
    db: AsyncSession,
    request: Request,
    access: Access,
    key: str | None,
    data: BaseModel,
    create: Callable[[], Awaitable[tuple[UUID, BaseModel]]],
    reread: Callable[[UUID], Awaitable[BaseModel]],
) -> JSONResponse:
    """A create with ``Idempotency-Key`` that keeps only the new record's id with the key, never
    the personal data of the answer (notes, an employer): a retry answers the record as it is
    now (``reread``, audited like any read), an erased one included."""
    if key is None:
        return json_with_etag((await create())[1].model_dump(mode="json"), 201)
    body = data.model_dump(mode="json", exclude_unset=True)
    request_fingerprint = fingerprint(request.method, request.url.path, body)
    stored = await idempotency.replay(db, access.subject, key, request_fingerprint)
    if stored is not None:
        answer = await reread(UUID(stored.body["id"]))
        return json_with_etag(answer.model_dump(mode="json"), stored.status_code)
    record_id, answer = await create()
    await idempotency.remember(
        db, access.subject, key, request_fingerprint, 201, {"id": str(record_id)}
    )
    return json_with_etag(answer.model_dump(mode="json"), 201)


def not_found_person(beneficiary_id: UUID) -> ProblemError:
    return not_found("beneficiary", beneficiary_id)
