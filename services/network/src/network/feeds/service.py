"""Calendar feeds of networks and working groups: the token that opens one, turned on,
rotated and revoked by the coordinators, and the iCalendar document it serves.

A wrong, revoked or missing token answers 404, exactly like a network that does not exist, so
a feed URL reveals nothing without its token.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from network.events import service as events_service
from network.feeds import ics, repository
from network.feeds.models import CalendarFeed
from network.feeds.tokens import FeedSigner, matches, token_hash
from shared.db import utcnow
from shared.problems import not_found
from shared.writes import flush_update


@dataclass(frozen=True)
class Owner:
    """A network (``working_group_id`` None) or a working group."""

    network_id: UUID | None = None
    working_group_id: UUID | None = None

    @property
    def kind(self) -> str:
        return "working group" if self.working_group_id else "network"

    @property
    def id(self) -> UUID | None:
        return self.working_group_id or self.network_id

    def path(self) -> str:
        collection = "working-groups" if self.working_group_id else "networks"
        return f"/api/v1/{collection}/{self.id}/calendar.ics"


def url(owner: Owner, signer: FeedSigner, nonce: str, base_url: str) -> str:
    return f"{base_url.rstrip('/')}{owner.path()}?token={signer.token(nonce)}"


async def url_of(db: AsyncSession, owner: Owner, signer: FeedSigner, base_url: str) -> str | None:
    """The feed URL of ``owner`` to show in its record, None while its feed is off."""
    feed = await repository.of_owner(db, owner.network_id, owner.working_group_id)
    if feed is None or feed.nonce is None:
        return None
    return url(owner, signer, feed.nonce, base_url)


async def rotate(db: AsyncSession, owner: Owner, signer: FeedSigner, base_url: str) -> str:
    """Turn the feed on with a new token (the previous one stops working); its URL."""
    feed = await repository.of_owner(db, owner.network_id, owner.working_group_id)
    nonce = signer.new_nonce()
    now = utcnow()
    if feed is None:
        feed = CalendarFeed(
            id=uuid4(),
            network_id=owner.network_id,
            working_group_id=owner.working_group_id,
            version=1,
            created_at=now,
        )
        db.add(feed)
    feed.nonce = nonce
    feed.token_hash = token_hash(signer.token(nonce))
    feed.updated_at = now
    await flush_update(db)
    return url(owner, signer, nonce, base_url)


async def revoke(db: AsyncSession, owner: Owner) -> None:
    """Turn the feed off: its URL answers 404 until it is rotated again."""
    feed = await repository.of_owner(db, owner.network_id, owner.working_group_id)
    if feed is not None and feed.token_hash is not None:
        feed.nonce = None
        feed.token_hash = None
        feed.updated_at = utcnow()
        await flush_update(db)


async def document(db: AsyncSession, owner: Owner, token: str | None) -> bytes:
    """The iCalendar document of the feed ``token`` opens; 404 for any other token."""
    feed = await repository.of_owner(db, owner.network_id, owner.working_group_id)
    if feed is None or token is None or not matches(token, feed.token_hash):
        raise not_found(owner.kind, owner.id)
    name = await events_service.owner_name(db, owner.network_id, owner.working_group_id)
    if name is None:
        raise not_found(owner.kind, owner.id)
    events = await events_service.of_owner(db, owner.network_id, owner.working_group_id)
    return ics.calendar(name, events)
