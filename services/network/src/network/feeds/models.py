"""The ``calendar_feed`` table: the revocable token of a network's or a working group's
iCalendar feed.

Only a hash of the token is stored. The token itself is derived from the row's ``nonce`` with
the service's feed secret (``network.feeds.tokens``), so the service can show the feed URL again
to those who may see it while neither the database alone nor the secret alone yields a token.
Revoking clears both; rotating draws a new nonce.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from network.database import Base
from shared.db import UTCDateTime, utcnow


class CalendarFeed(Base):
    __tablename__ = "calendar_feed"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=uuid4)
    # Exactly one owner: a network, or a working group.
    network_id: Mapped[UUID | None] = mapped_column(ForeignKey("network.id"), unique=True)
    working_group_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("working_group.id"), unique=True
    )
    nonce: Mapped[str | None] = mapped_column(String(64))
    token_hash: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint("(network_id IS NULL) <> (working_group_id IS NULL)", name="one_owner"),
    )
    __mapper_args__ = {"version_id_col": version}
