"""The service's durable jobs (``shared.jobs``): one ``job`` table for every kind of work that
outlives a request here. The intake domain maps it; referrals settle through the same table."""

from __future__ import annotations

from beneficiaries.intake.models import tables
from shared.jobs import JobStore

store = JobStore(tables)
