from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from shared.db import make_metadata
from shared.idempotency import IdempotencyStore, idempotency_table


class Base(DeclarativeBase):
    metadata = make_metadata()


idempotency = IdempotencyStore(idempotency_table(Base.metadata))
