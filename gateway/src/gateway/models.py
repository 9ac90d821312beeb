"""Every table of the gateway's identity database (imported so Alembic sees the whole schema)."""

from gateway.database import Base
from gateway.identity import models as identity_models

__all__ = ["Base", "identity_models"]
