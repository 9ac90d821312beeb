"""The network service application: ``uvicorn --factory network.main:create_app``."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from network.settings import Settings
from shared.app import create_service_app

SERVICE = "network"
# One router per domain (docs/adding-a-domain.md); ids are typed in the paths, so order is free.
ROUTERS: list[APIRouter] = []


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        service=SERVICE,
        title="Kafaat network service",
        description=(
            "Regional public-private partnership networks: partners, "
            "working groups, events, agreements, labour needs."
        ),
        settings=settings or Settings(),
        routers=ROUTERS,
    )
