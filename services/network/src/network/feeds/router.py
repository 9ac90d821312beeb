"""The iCalendar feeds of networks and working groups (``…/calendar.ics?token=``), and their
rotation and revocation by the coordinators (``…/calendar-feed``).

Calendar applications cannot send a bearer token: the feed routes let anonymous callers in and
the token in the URL is the credential. Like every route they are reached only through the
gateway, which forwards the calendar application as the anonymous caller.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response

from network.dependencies import Everyone, Manager
from network.events import service as events_service
from network.feeds import service
from network.feeds.dependencies import BaseUrl, Signer
from network.feeds.schemas import FeedRead
from network.feeds.service import Owner
from shared.db import SessionDep
from shared.problems import problem_responses

router = APIRouter(tags=["calendars"])
NETWORK = "/v1/networks/{network_id:uuid}"
GROUP = "/v1/working-groups/{working_group_id:uuid}"
ICS_MEDIA_TYPE = "text/calendar"
# Feed tokens are 43 characters; anything much longer is not one.
# Optional in the document: a missing token is a wrong one (404), like any other.
Token = Annotated[str | None, Query(max_length=128, description="The feed's token, from its URL")]


_ICS_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The iCalendar document (RFC 5545)",
        "content": {ICS_MEDIA_TYPE: {"schema": {"type": "string"}}},
    },
    # The service never looks at credentials here, but the gateway in front refuses invalid
    # ones (an expired bearer token a calendar application kept) before forwarding.
    **problem_responses(401, 404, 422),
}


def _ics(document: bytes) -> Response:
    # Calendar applications poll: a few minutes of caching spare the service.
    return Response(
        document,
        media_type=f"{ICS_MEDIA_TYPE}; charset=utf-8",
        headers={"Cache-Control": "private, max-age=300"},
    )


@router.get(
    NETWORK + "/calendar.ics",
    name="network",
    response_class=Response,
    responses=_ICS_RESPONSES,
)
async def network_calendar(
    network_id: UUID, db: SessionDep, _: Everyone, token: Token = None
) -> Response:
    """The network's events (its working groups' included) for calendar applications; 404
    for a wrong or revoked token."""
    return _ics(await service.document(db, Owner(network_id=network_id), token))


@router.get(
    GROUP + "/calendar.ics",
    name="working-group",
    response_class=Response,
    responses=_ICS_RESPONSES,
)
async def working_group_calendar(
    working_group_id: UUID, db: SessionDep, _: Everyone, token: Token = None
) -> Response:
    """The working group's events for calendar applications; 404 for a wrong or revoked
    token."""
    return _ics(await service.document(db, Owner(working_group_id=working_group_id), token))


@router.post(
    NETWORK + "/calendar-feed",
    response_model=FeedRead,
    name="network-rotate",
    responses=problem_responses(401, 403, 404),
)
async def rotate_network_feed(
    network_id: UUID, db: SessionDep, access: Manager, signer: Signer, base: BaseUrl
) -> FeedRead:
    """Turn the network's feed on, or give it a new token (the previous URL stops working)."""
    await events_service.manageable_owner(db, access, network_id, None)
    return FeedRead(url=await service.rotate(db, Owner(network_id=network_id), signer, base))


@router.delete(
    NETWORK + "/calendar-feed",
    status_code=204,
    name="network-revoke",
    responses=problem_responses(401, 403, 404),
)
async def revoke_network_feed(network_id: UUID, db: SessionDep, access: Manager) -> Response:
    """Turn the network's feed off: its URL answers 404."""
    await events_service.manageable_owner(db, access, network_id, None)
    await service.revoke(db, Owner(network_id=network_id))
    return Response(status_code=204)


@router.post(
    GROUP + "/calendar-feed",
    response_model=FeedRead,
    name="working-group-rotate",
    responses=problem_responses(401, 403, 404),
)
async def rotate_group_feed(
    working_group_id: UUID, db: SessionDep, access: Manager, signer: Signer, base: BaseUrl
) -> FeedRead:
    """Turn the working group's feed on, or give it a new token."""
    await events_service.manageable_owner(db, access, None, working_group_id)
    owner = Owner(working_group_id=working_group_id)
    return FeedRead(url=await service.rotate(db, owner, signer, base))


@router.delete(
    GROUP + "/calendar-feed",
    status_code=204,
    name="working-group-revoke",
    responses=problem_responses(401, 403, 404),
)
async def revoke_group_feed(working_group_id: UUID, db: SessionDep, access: Manager) -> Response:
    """Turn the working group's feed off: its URL answers 404."""
    await events_service.manageable_owner(db, access, None, working_group_id)
    await service.revoke(db, Owner(working_group_id=working_group_id))
    return Response(status_code=204)
