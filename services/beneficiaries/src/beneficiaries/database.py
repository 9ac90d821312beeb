from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from beneficiaries.stats import tracking
from shared.db import make_metadata
from shared.idempotency import IdempotencyStore, idempotency_table


class Base(DeclarativeBase):
    metadata = make_metadata()


idempotency = IdempotencyStore(idempotency_table(Base.metadata))

# Every session writing a record the figures count leaves a marker for its association.
tracking.install(Base)
