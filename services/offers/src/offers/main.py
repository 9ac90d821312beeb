"""The offers service application: ``uvicorn --factory offers.main:create_app``."""

from __future__ import annotations

from fastapi import FastAPI

from offers.settings import Settings
from shared.app import create_service_app

SERVICE = "offers"


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        service=SERVICE,
        title="Kafaat offers service",
        description=(
            "Training providers, offers and sessions: the register "
            "of the training offer of every region."
        ),
        settings=settings or Settings(),
        routers=[],
    )
