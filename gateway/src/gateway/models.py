"""Every table of the gateway's identity database (imported so Alembic sees the whole schema)."""

from gateway.database import Base

__all__ = ["Base"]
