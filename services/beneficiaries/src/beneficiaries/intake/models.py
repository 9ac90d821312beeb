"""The tables of intake jobs: the shared job store's, on the service's metadata."""

from __future__ import annotations

from beneficiaries.database import Base
from shared.jobs import job_tables

tables = job_tables(Base.metadata)
