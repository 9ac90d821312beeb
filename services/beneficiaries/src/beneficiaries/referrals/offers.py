"""The calls referrals make to the offers service, for the referral's author (``shared.peers``).

Offers scopes every call by the author's own rules (a counsellor reserves wherever a session is
open, and only the author, their association and the region's coordinators may handle the
seat), and names the reservation by the referral's id as Idempotency-Key: a retry, by the
request or by the worker, finds the same seat rather than taking another.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from shared.peers import PeerClient, PeerError
from shared.principal import Principal

PEER = "offers"


@dataclass(frozen=True)
class SessionFacts:
    session_id: UUID
    provider_id: UUID


class SessionRefused(Exception):
    """Offers answered that the session cannot take this referral (unknown, not open, full)."""

    def __init__(self, error: PeerError) -> None:
        detail = error.problem.get("detail")
        super().__init__(detail if isinstance(detail, str) else f"offers answered {error.status}")
        self.error = error


async def session(client: PeerClient, principal: Principal, session_id: UUID) -> SessionFacts:
    """The session as the author sees it in offers; SessionRefused when it is not visible."""
    try:
        response = await client.request("GET", f"/v1/sessions/{session_id}", principal)
    except PeerError as error:
        if error.status in (403, 404):
            raise SessionRefused(error) from error
        raise
    body = response.json()
    return SessionFacts(session_id=UUID(body["id"]), provider_id=UUID(body["offer"]["provider_id"]))


async def reserve(
    client: PeerClient, principal: Principal, session_id: UUID, referral_id: UUID
) -> UUID:
    """The seat's reservation id (taken now, or by an earlier try with the same key)."""
    try:
        response = await client.request(
            "POST",
            f"/v1/sessions/{session_id}/reservations",
            principal,
            headers={"Idempotency-Key": str(referral_id)},
        )
    except PeerError as error:
        if error.status in (403, 404, 409, 422):
            raise SessionRefused(error) from error
        raise
    return UUID(response.json()["id"])


async def release(
    client: PeerClient, principal: Principal, session_id: UUID, reservation_id: UUID
) -> None:
    """Give the seat back; a seat already released, or gone with its session, is fine."""
    try:
        await client.request(
            "DELETE", f"/v1/sessions/{session_id}/reservations/{reservation_id}", principal
        )
    except PeerError as error:
        if error.status != 404:
            raise
