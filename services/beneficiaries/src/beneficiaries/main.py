"""The beneficiaries service application: ``uvicorn --factory beneficiaries.main:create_app``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from beneficiaries.actions.router import router as actions_router
from beneficiaries.associations.router import router as associations_router
from beneficiaries.audit.router import router as audit_router
from beneficiaries.consents.router import router as consents_router
from beneficiaries.diagnosis.router import router as diagnosis_router
from beneficiaries.encryption import Vault
from beneficiaries.intake import service as intake_service
from beneficiaries.intake.router import router as intake_router
from beneficiaries.journey.router import router as journey_router
from beneficiaries.outcomes.router import follow_ups_router, outcomes_router
from beneficiaries.people.router import router as people_router
from beneficiaries.plans.router import router as plans_router
from beneficiaries.referrals import worker as referrals_worker
from beneficiaries.referrals.router import router as referrals_router
from beneficiaries.rights.router import router as rights_router
from beneficiaries.settings import Settings
from beneficiaries.stats import refresher as stats_refresher
from beneficiaries.stats.router import router as stats_router
from shared.app import create_service_app

SERVICE = "beneficiaries"
# One router per domain (docs/adding-a-domain.md); ids are typed in the paths, so order is free.
ROUTERS: list[APIRouter] = [
    associations_router,
    people_router,
    consents_router,
    audit_router,
    journey_router,
    diagnosis_router,
    plans_router,
    actions_router,
    outcomes_router,
    follow_ups_router,
    rights_router,
    stats_router,
    intake_router,
    referrals_router,
]


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Intake jobs: run here as well as by every other replica, each exactly once; pending
    # referrals settled the same way (with the offers client they need).
    # The statistics' rollup rebuilt between reads.
    async with (
        intake_service.worker(app),
        referrals_worker.lifespan(app),
        stats_refresher.lifespan(app),
    ):
        yield


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    # Keys first: a service that cannot protect identifiers does not start.
    vault = Vault.from_settings(settings)
    app = create_service_app(
        service=SERVICE,
        title="Kafaat beneficiaries service",
        description=(
            "Associations, the vulnerable people they support, and referrals to training."
        ),
        settings=settings,
        routers=ROUTERS,
        extra_lifespan=_lifespan,
    )
    app.state.vault = vault
    return app
