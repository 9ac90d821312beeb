"""The ``referral`` table (a person referred to an offers training session) and its history.

A referral is written ``pending`` before its seat is reserved in offers, and ``referred`` once
the reservation is known (``reservation_id``): the two databases are never half-written, since a
pending referral is finished or given up by the service itself (``referrals.worker``).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import ForeignKey, Index, Integer, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from beneficiaries.database import Base
from shared.db import UTCDateTime, utcnow

# The statuses of a referral still under way (``referrals.service.ACTIVE``, as SQL).
ACTIVE_STATUSES = ("pending", "referred", "accepted", "enrolled")
ACTIVE_CLAUSE = text("status IN ({})".format(", ".join(f"'{s}'" for s in ACTIVE_STATUSES)))


class Referral(Base):
    __tablename__ = "referral"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=uuid4)
    beneficiary_id: Mapped[UUID] = mapped_column(ForeignKey("beneficiary.id"))
    # The person's association (scope in the query without a join).
    association_id: Mapped[UUID] = mapped_column(ForeignKey("association.id"))
    # The offers session and its provider (read from offers when referring): provider staff
    # see the referrals to their own provider's sessions.
    session_id: Mapped[UUID] = mapped_column(Uuid)
    provider_id: Mapped[UUID] = mapped_column(Uuid)
    status: Mapped[str] = mapped_column(String(16))
    # The seat held in offers (set when ``referred``; its Idempotency-Key there is this id).
    reservation_id: Mapped[UUID | None] = mapped_column(Uuid)
    # Why it was rejected, dropped or could not be made.
    reason: Mapped[str | None] = mapped_column(String(500))
    # Who referred: the seat is theirs in offers, and the service acts for them there.
    referred_by: Mapped[str] = mapped_column(String(255))
    referrer_role: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_referral_association_id_updated_at_id", "association_id", "updated_at", "id"),
        Index("ix_referral_provider_id_updated_at_id", "provider_id", "updated_at", "id"),
        # One active referral of a person to a session, whatever the number of requests at once.
        Index(
            "uq_referral_active_beneficiary_id_session_id",
            "beneficiary_id",
            "session_id",
            unique=True,
            postgresql_where=ACTIVE_CLAUSE,
            sqlite_where=ACTIVE_CLAUSE,
        ),
        Index("ix_referral_status_created_at", "status", "created_at"),
    )
    __mapper_args__ = {"version_id_col": version}


class ReferralEvent(Base):
    """One move of a referral: to which status, when, by whom (kept, never changed)."""

    __tablename__ = "referral_event"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=uuid4)
    referral_id: Mapped[UUID] = mapped_column(ForeignKey("referral.id"))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(500))
    # A principal's subject, or ``service:beneficiaries`` for what the service settled itself.
    author: Mapped[str] = mapped_column(String(255))
    author_role: Mapped[str | None] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_referral_event_referral_id_occurred_at", "referral_id", "occurred_at"),
    )
