"""``/v1/beneficiaries/{id}/access-log``: who saw or changed a person's data."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from beneficiaries.audit import service
from beneficiaries.audit.schemas import AccessLogEntry
from beneficiaries.dependencies import AccessLogReader
from beneficiaries.people import service as people_service
from shared.db import SessionDep
from shared.pagination import Page, PageParamsDep, page_response
from shared.problems import not_found, problem_responses

router = APIRouter(prefix="/v1/beneficiaries", tags=["beneficiaries"])


@router.get(
    "/{beneficiary_id:uuid}/access-log",
    response_model=Page[AccessLogEntry],
    name="access-log",
    responses=problem_responses(404, 503),
)
async def access_log(
    beneficiary_id: UUID, db: SessionDep, access: AccessLogReader, page: PageParamsDep
) -> Response:
    """Managers of the person's association and admins: every access, newest first."""
    beneficiary = await people_service.get_visible(db, access, beneficiary_id)
    if not access.may_read_access_log(beneficiary):
        raise not_found(people_service.KIND, beneficiary_id)
    return page_response(await service.access_log(db, access, beneficiary.id, page))
