from __future__ import annotations

from pydantic import Field

from shared.settings import JobWorkerSettings, ServiceTokenVerifierSettings, service_config


class Settings(ServiceTokenVerifierSettings, JobWorkerSettings):
    """Settings of the offers service, read from ``KAFAAT_OFFERS_*`` environment variables."""

    model_config = service_config("KAFAAT_OFFERS_")

    # An upload larger than this (declared by Content-Length, or found while reading it) is
    # imported as a job: 202 and an import resource to poll. About 10,000 rows, a few seconds,
    # well inside the gateway's 15 s deadline; a 200k-row file (about 90 MB) is a job.
    import_async_threshold_bytes: int = Field(default=4 * 1024 * 1024, ge=0)
    # The longest ``Prefer: wait=N`` honoured (below the gateway's upstream deadline).
    import_wait_max_seconds: float = Field(default=10.0, ge=0, le=60)
    # Import jobs this process runs at once (0: it queues jobs but leaves them to other replicas).
    import_workers: int = Field(default=1, ge=0, le=16)
