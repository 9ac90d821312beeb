"""The beneficiaries service application: ``uvicorn --factory beneficiaries.main:create_app``."""

from __future__ import annotations

from fastapi import FastAPI

from beneficiaries.settings import Settings
from shared.app import create_service_app

SERVICE = "beneficiaries"


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        service=SERVICE,
        title="Kafaat beneficiaries service",
        description=(
            "Associations, the vulnerable people they support, and referrals to training."
        ),
        settings=settings or Settings(),
        routers=[],
    )
