"""Every table of the beneficiaries service (imported so Alembic sees the whole schema)."""

from beneficiaries.database import Base

__all__ = ["Base"]
