"""Every query on import jobs: the shared job store on the service's job tables."""

from __future__ import annotations

from offers.imports.models import tables
from shared.jobs import JobStore

store = JobStore(tables)
