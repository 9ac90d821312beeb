"""``/v1/referrals``: people referred to training sessions of the offers service. Every answer
with personal data is audited; provider staff see only their sessions' referrals, with the
person's name and contact, while the sharing consent is in force."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from beneficiaries.database import idempotency
from beneficiaries.dependencies import PersonEditor, ReferralReader, VaultDep
from beneficiaries.referrals import service
from beneficiaries.referrals.schemas import (
    ReferralCreate,
    ReferralQuery,
    ReferralRead,
    ReferralTransition,
)
from shared.concurrency import IfMatch, json_with_etag, with_etag
from shared.db import SessionDep
from shared.idempotency import IdempotencyKey, fingerprint
from shared.pagination import Page, PageParamsDep, page_response
from shared.peers import PeerClient
from shared.problems import problem_responses

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
    if idempotency_key is not None:
        body = data.model_dump(mode="json")
        request_fingerprint = fingerprint(request.method, request.url.path, body)
        stored = await idempotency.replay(db, access.subject, idempotency_key, request_fingerprint)
        if stored is not None:
            referral = await service.get_visible(db, scope, UUID(stored.body["id"]))
            answer = await service.read(db, scope, vault, referral)
            return json_with_etag(answer.model_dump(mode="json"), stored.status_code)
    referral = await service.refer(db, access, offers, data)
    if idempotency_key is not None:
        await idempotency.remember(
            db, access.subject, idempotency_key, request_fingerprint, 201, {"id": str(referral.id)}
        )
    (answer,) = await service.to_reads(db, vault, [referral])
    return with_etag(answer, 201)


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
