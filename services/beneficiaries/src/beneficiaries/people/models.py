"""The ``beneficiary`` table: one person followed by one association.

``cin`` and ``phone`` are never stored in clear: their columns hold ``key_id:base64(nonce ||
AES-GCM ciphertext)`` (``beneficiaries.encryption``), and ``cin_index`` a keyed HMAC of the
normalised CIN that finds duplicates without decrypting anything.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Uuid, false
from sqlalchemy.orm import Mapped, mapped_column

from beneficiaries.database import Base
from shared.columns import CodeList
from shared.db import UTCDateTime, utcnow


class Beneficiary(Base):
    __tablename__ = "beneficiary"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=uuid4)
    association_id: Mapped[UUID] = mapped_column(ForeignKey("association.id"))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    # Folded "first last" (shared.text.fold): name search and sort order.
    name_key: Mapped[str] = mapped_column(String(201))
    sex: Mapped[str] = mapped_column(String(8))
    birth_date: Mapped[date] = mapped_column(Date)
    cin_encrypted: Mapped[str | None] = mapped_column(String(255))
    # HMAC-SHA256 (hex) of the normalised CIN under its own key: duplicate detection.
    cin_index: Mapped[str | None] = mapped_column(String(64))
    phone_encrypted: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(254))
    commune: Mapped[str | None] = mapped_column(String(120))
    region: Mapped[str] = mapped_column(String(2))
    province: Mapped[str | None] = mapped_column(String(6))
    education_level: Mapped[str | None] = mapped_column(String(32))
    # [{"criterion": "...", "since": "YYYY-MM-DD"}, ...]; ``criteria`` holds the same codes as a
    # CodeList so one criterion is found with LIKE on both databases.
    vulnerabilities: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    criteria: Mapped[list[str]] = mapped_column(CodeList, default=list)
    journey_stage: Mapped[str] = mapped_column(String(16), default="intake")
    # When the person left the support (``exited`` is final): the move's own instant, kept here
    # so that the figures count exits without aggregating the stage moves.
    exited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The assigned counsellor: the user id (principal subject) given by the gateway.
    counsellor_id: Mapped[str | None] = mapped_column(String(255))
    # Same CIN as a person of another association: shown to admins only.
    possible_duplicate: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(255))
    # Set when the person's data was erased (anonymised); the row keeps the figures.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_beneficiary_association_id_updated_at_id", "association_id", "updated_at", "id"),
        Index("ix_beneficiary_association_id_name_key_id", "association_id", "name_key", "id"),
        Index("ix_beneficiary_updated_at_id", "updated_at", "id"),
        Index("ix_beneficiary_cin_index", "cin_index"),
        Index("ix_beneficiary_counsellor_id", "counsellor_id"),
        # One person per CIN in an association (NULLs never collide: erased or no CIN).
        Index(
            "uq_beneficiary_association_id_cin_index", "association_id", "cin_index", unique=True
        ),
        # Name search (``LIKE '%term%'``) on PostgreSQL; declared empty on SQLite.
        Index(
            "ix_beneficiary_name_key_trgm",
            "name_key",
            postgresql_using="gin",
            postgresql_ops={"name_key": "gin_trgm_ops"},
            sqlite_where=false(),
        ),
    )
    __mapper_args__ = {"version_id_col": version}
