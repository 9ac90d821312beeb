"""The ``membership`` table: a partner in a network, or in one of its working groups.

``network_id`` is always set: a working group's membership also names the group's network, so
"the partners of a network" (attendance checks, feeds, scope) is one indexed lookup. A row with
``working_group_id`` NULL is a membership of the network itself.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID, uuid4

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from network.database import Base
from shared.db import UTCDateTime, utcnow


class Membership(Base):
    __tablename__ = "membership"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=uuid4)
    partner_id: Mapped[UUID] = mapped_column(ForeignKey("partner.id"), index=True)
    # Indexed with partner_id below (network first).
    network_id: Mapped[UUID] = mapped_column(ForeignKey("network.id"))
    working_group_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("working_group.id"), index=True
    )
    # The network's region, copied (a network never changes region).
    region: Mapped[str] = mapped_column(String(2), index=True)
    role: Mapped[str] = mapped_column(String(16))
    since: Mapped[date] = mapped_column(Date)
    # NULL: still a member.
    until: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_membership_network_id_partner_id", "network_id", "partner_id"),
        Index("ix_membership_updated_at_id", "updated_at", "id"),
    )
    __mapper_args__ = {"version_id_col": version}
