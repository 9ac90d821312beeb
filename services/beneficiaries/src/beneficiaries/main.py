"""The beneficiaries service application: ``uvicorn --factory beneficiaries.main:create_app``."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from beneficiaries.settings import Settings
from shared.app import create_service_app

SERVICE = "beneficiaries"
# One router per domain (docs/adding-a-domain.md); ids are typed in the paths, so order is free.
ROUTERS: list[APIRouter] = []


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        service=SERVICE,
        title="Kafaat beneficiaries service",
        description=(
            "Associations, the vulnerable people they support, and referrals to training."
        ),
        settings=settings or Settings(),
        routers=ROUTERS,
    )
