"""Every table of the offers service: imported so Alembic and the tests see the whole schema."""

from offers.database import Base

__all__ = ["Base"]
