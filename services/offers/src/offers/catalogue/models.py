"""The ``offer`` table: programmes a provider delivers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from offers.database import Base
from shared.columns import CodeList
from shared.db import UTCDateTime, utcnow

# ``next_start_date`` of an offer without an upcoming session: keyset pagination needs a value
# that sorts, and such offers come last when sorting by start date.
NO_UPCOMING_SESSION = date(9999, 12, 31)
# Columns derived from the offer's titles and its provider (see ``catalogue.summary``)…
TEXT_DERIVED = ("region", "province", "title_key", "search_text")
# …and from its sessions.
SESSION_DERIVED = ("next_start_date", "last_start_date", "quality_base", "quality_gaps")
DERIVED = TEXT_DERIVED + SESSION_DERIVED


class Offer(Base):
    __tablename__ = "offer"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=uuid4)
    provider_id: Mapped[UUID] = mapped_column(ForeignKey("provider.id"), index=True)
    # The provider's place, copied so searches filter one table (kept in step by the service).
    region: Mapped[str] = mapped_column(String(2), index=True)
    province: Mapped[str | None] = mapped_column(String(6))
    title_fr: Mapped[str] = mapped_column(String(300))
    title_ar: Mapped[str | None] = mapped_column(String(300))
    # Folded French title (sort order) and folded titles + provider name (search).
    title_key: Mapped[str] = mapped_column(String(300))
    search_text: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    objectives: Mapped[str | None] = mapped_column(Text)
    sector: Mapped[str] = mapped_column(String(32), index=True)
    isced_field: Mapped[str | None] = mapped_column(String(2))
    isco_groups: Mapped[list[str]] = mapped_column(CodeList)
    entry_level: Mapped[str | None] = mapped_column(String(32))
    certification_level: Mapped[str | None] = mapped_column(String(32))
    certification_name: Mapped[str | None] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(16))
    duration_hours: Mapped[int] = mapped_column(Integer)
    languages: Mapped[list[str]] = mapped_column(CodeList)
    cost_mad: Mapped[int] = mapped_column(Integer)
    prerequisites: Mapped[str | None] = mapped_column(Text)
    target_publics: Mapped[list[str]] = mapped_column(CodeList)
    status: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(128))
    # Derived from the sessions and the provider (offers.catalogue.summary), never edited.
    next_start_date: Mapped[date] = mapped_column(Date, default=NO_UPCOMING_SESSION)
    last_start_date: Mapped[date | None] = mapped_column(Date)
    quality_base: Mapped[int] = mapped_column(Integer, default=0)
    quality_gaps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        # One index per sort order, led by the status everyone but staff filters on.
        Index("ix_offer_status_updated_at_id", "status", "updated_at", "id"),
        Index("ix_offer_status_title_key_id", "status", "title_key", "id"),
        Index("ix_offer_status_next_start_date_id", "status", "next_start_date", "id"),
        Index("ix_offer_updated_at_id", "updated_at", "id"),
        # Substring search (``LIKE '%term%'``) on PostgreSQL uses a trigram index. SQLite cannot
        # use a B-tree for it, so there the index is declared empty (``WHERE 0``) rather than
        # doubling the write cost of every offer for nothing.
        Index(
            "ix_offer_search_text_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
            sqlite_where=false(),
        ),
    )
    __mapper_args__ = {"version_id_col": version}
