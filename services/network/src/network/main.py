"""The network service application: ``uvicorn --factory network.main:create_app``."""

from __future__ import annotations

from fastapi import FastAPI

from network.settings import Settings
from shared.app import create_service_app

SERVICE = "network"


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        service=SERVICE,
        title="Kafaat network service",
        description=(
            "Regional public-private partnership networks: partners, "
            "working groups, events, agreements, labour needs."
        ),
        settings=settings or Settings(),
        routers=[],
    )
