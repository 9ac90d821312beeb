"""Every table of the network service: imported so Alembic and the tests see the whole schema."""

from network.database import Base

__all__ = ["Base"]
