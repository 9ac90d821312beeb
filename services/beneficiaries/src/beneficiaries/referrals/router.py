"""``/v1/referrals``: people referred to training sessions of the offers service. Every answer
with personal data is audited; provider staff see only their sessions' referrals, with the
person's name and contact, while the sharing consent is in force."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.database import idempotency
from beneficiaries.dependencies import PersonEditor, ReferralReader, VaultDep
from beneficiaries.encryption import Vault
from beneficiaries.referrals import service
from beneficiaries.referrals.models import Referral
from beneficiaries.referrals.schemas import (
    ReferralCreate,
    ReferralQuery,
    ReferralRead,
    ReferralTransition,
)
from shared.concurrency import IfMatch, json_with_etag, with_etag
from shared.db import SessionDep
from shared.idempotency import IdempotencyKey, StoredResponse, fingerprint
from shared.pagination import Page, PageParamsDep, page_response
from shared.peers import PeerClient
from shared.problems import ProblemError, problem_responses

router = APIRouter(prefix="/v1/referrals", tags=["referrals"])
ONE = "/{referral_id:uuid}"


def _offers(request: Request) -> PeerClient:
    client: PeerClient = request.app.state.offers
    return client


OffersDep = Annotated[PeerClient, Depends(_offers)]


@router.get(
    "", response_model=Page[ReferralRead], name="list", responses=problem_responses(404, 422, 503)
)
async def list_referrals(
    db: SessionDep,
    access: ReferralReader,
    vault: VaultDep,
    page: PageParamsDep,
    filters: Annotated[ReferralQuery, Query()],
) -> Response:
    """The referrals of the caller's association's people; for provider staff, those to their
    provider's sessions of people who consent to it."""
    scope = service.Scope(access)
    return page_response(await service.list_referrals(db, scope, vault, filters, page))


@router.post(
    "",
    response_model=ReferralRead,
    status_code=201,
    name="create",
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
async def create_referral(
    data: ReferralCreate,
    db: SessionDep,
    access: PersonEditor,
    vault: VaultDep,
    offers: OffersDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Refer a person to a session and reserve their seat in offers. 409 without the person's
    consent `sharing_with_providers`; 503 when offers does not confirm the seat (the referral
    is then kept `pending` and settled by the service itself)."""
    scope = service.Scope(access)
    if idempotency_key is None:
        referral = await service.refer(db, access, offers, data)
    else:
        key = idempotency_key
        request_fingerprint = fingerprint(
            request.method, request.url.path, data.model_dump(mode="json")
        )
        stored = await idempotency.replay(db, access.subject, key, request_fingerprint)
        if stored is not None:
            return await _replayed(db, scope, vault, stored)

        async def in_progress(referral: Referral) -> None:
            # Kept with the intent, in its transaction: a twin in flight finds it (409).
            await idempotency.remember(
                db, access.subject, key, request_fingerprint, IN_PROGRESS, {"id": str(referral.id)}
            )

        try:
            referral = await service.refer(db, access, offers, data, in_progress)
        except ProblemError as problem:
            referral_id = problem.extra.get("referral_id")
            if referral_id is not None:  # the intent was kept: a retry gets this answer again
                body = {"id": referral_id, "problem": _stored_problem(problem)}
                await idempotency.settle(db, access.subject, key, problem.status, body)
                await db.commit()
            raise
        await idempotency.settle(db, access.subject, key, 201, {"id": str(referral.id)})
    (answer,) = await service.to_reads(db, vault, [referral])
    return with_etag(answer, 201)


# The answer kept with a referral's intent until its request ends.
IN_PROGRESS = 202


def _stored_problem(problem: ProblemError) -> dict[str, Any]:
    # The code and parameters, so that a retry gets the problem in its own language.
    params = {
        name: value if isinstance(value, int | str) else str(value)
        for name, value in problem.params.items()
    }
    return {"code": problem.code, "params": params, "slug": problem.slug, "extra": problem.extra}


async def _replayed(
    db: AsyncSession, scope: service.Scope, vault: Vault, stored: StoredResponse
) -> JSONResponse:
    """A retry's answer: 409 while the first request is under way, then what it answered (the
    referral as it is now, or the same problem)."""
    if stored.status_code == IN_PROGRESS:
        raise ProblemError(
            409,
            "idempotency_key_in_use",
            slug="idempotency-key-in-use",
        )
    if stored.status_code != 201:
        problem = stored.body["problem"]
        raise ProblemError(
            stored.status_code,
            problem["code"],
            params=problem["params"],
            slug=problem["slug"],
            extra=problem["extra"],
        )
    referral = await service.get_visible(db, scope, UUID(stored.body["id"]))
    answer = await service.read(db, scope, vault, referral)
    return json_with_etag(answer.model_dump(mode="json"), stored.status_code)


@router.get(ONE, response_model=ReferralRead, name="get", responses=problem_responses(404, 503))
async def get_referral(
    referral_id: UUID, db: SessionDep, access: ReferralReader, vault: VaultDep
) -> JSONResponse:
    scope = service.Scope(access)
    referral = await service.get_visible(db, scope, referral_id)
    return with_etag(await service.read(db, scope, vault, referral))


@router.post(
    ONE + "/transitions",
    response_model=ReferralRead,
    name="move",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
)
async def move_referral(
    referral_id: UUID,
    data: ReferralTransition,
    db: SessionDep,
    access: ReferralReader,
    vault: VaultDep,
    offers: OffersDep,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Move a referral on: the provider accepts or rejects (reason), enrols, completes; the
    provider or the association drops it (reason). Rejecting and dropping give the seat back
    in offers (503, nothing changed, when offers is away)."""
    scope = service.Scope(access)
    referral = await service.get_visible(db, scope, referral_id)
    referral = await service.move(db, scope, offers, referral, data, if_match)
    (answer,) = await service.to_reads(db, vault, [referral])
    return with_etag(answer)
