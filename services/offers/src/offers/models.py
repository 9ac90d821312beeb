"""Every table of the offers service: imported so Alembic and the tests see the whole schema."""

from offers.catalogue.models import Offer
from offers.database import Base
from offers.imports.models import tables as import_job_tables
from offers.providers.models import Provider
from offers.sessions.models import SeatReservation, TrainingSession

__all__ = [
    "Base",
    "Offer",
    "Provider",
    "SeatReservation",
    "TrainingSession",
    "import_job_tables",
]
