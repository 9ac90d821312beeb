"""The network service application: ``uvicorn --factory network.main:create_app``."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from network.activity.router import router as activity_router
from network.agreements.router import router as agreements_router
from network.announcements.router import router as announcements_router
from network.attendance.router import router as attendance_router
from network.decisions.router import items_router as action_items_router
from network.decisions.router import router as decisions_router
from network.demand.router import router as demand_router
from network.events.router import router as events_router
from network.feeds.router import router as feeds_router
from network.institution_models.router import router as institution_models_router
from network.labour_needs.router import router as labour_needs_router
from network.memberships.router import router as memberships_router
from network.networks.router import groups_router
from network.networks.router import router as networks_router
from network.overview.router import router as overview_router
from network.partners.router import router as partners_router
from network.settings import Settings
from shared.app import create_service_app

SERVICE = "network"
# One router per domain (docs/adding-a-domain.md); ids are typed in the paths, so order is free.
ROUTERS: list[APIRouter] = [
    partners_router,
    institution_models_router,
    networks_router,
    groups_router,
    memberships_router,
    labour_needs_router,
    announcements_router,
    demand_router,
    events_router,
    attendance_router,
    decisions_router,
    action_items_router,
    agreements_router,
    feeds_router,
    activity_router,
    overview_router,
]


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
