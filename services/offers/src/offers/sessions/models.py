"""``training_session`` (a dated run of an offer) and ``seat_reservation``."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID, uuid4

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from offers.catalogue.models import Offer
from offers.database import Base
from shared.db import UTCDateTime, utcnow


class TrainingSession(Base):
    __tablename__ = "training_session"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=uuid4)
    offer_id: Mapped[UUID] = mapped_column(ForeignKey("offer.id", ondelete="CASCADE"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    registration_deadline: Mapped[date | None] = mapped_column(Date)
    schedule: Mapped[str | None] = mapped_column(String(500))
    region: Mapped[str] = mapped_column(String(2), index=True)
    province: Mapped[str | None] = mapped_column(String(6))
    commune: Mapped[str | None] = mapped_column(String(120))
    seats_total: Mapped[int] = mapped_column(Integer)
    seats_reserved: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16))
    enrolled: Mapped[int | None] = mapped_column(Integer)
    completed: Mapped[int | None] = mapped_column(Integer)
    certified: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(128))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Loaded explicitly (contains_eager) by the queries that need it.
    offer: Mapped[Offer] = relationship(lazy="raise")

    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        # The last line of defence of the seat count; reservations never rely on it alone.
        CheckConstraint(
            "seats_reserved >= 0 AND seats_reserved <= seats_total", name="seats_within_total"
        ),
        Index("ix_training_session_offer_id_start_date", "offer_id", "start_date"),
        Index("ix_training_session_start_date_id", "start_date", "id"),
        Index("ix_training_session_updated_at_id", "updated_at", "id"),
    )
    __mapper_args__ = {"version_id_col": version}


class SeatReservation(Base):
    __tablename__ = "seat_reservation"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=uuid4)
    session_id: Mapped[UUID] = mapped_column(ForeignKey("training_session.id", ondelete="CASCADE"))
    # The caller's Idempotency-Key: one reservation per caller, key and session. Keys are the
    # caller's own: another caller sending the same one makes a reservation of its own.
    key: Mapped[str] = mapped_column(String(255))
    seats: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    # The principal's subject, and its association: both may read and release it.
    reserved_by: Mapped[str] = mapped_column(String(255))
    association_id: Mapped[UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("session_id", "reserved_by", "key"),)
