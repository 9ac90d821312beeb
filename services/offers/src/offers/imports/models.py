"""The tables of import jobs: the shared job store's, on the service's metadata."""

from __future__ import annotations

from offers.database import Base
from shared.jobs import job_tables

tables = job_tables(Base.metadata)
