"""The platform's processes as the launcher and the ops commands see them."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from pydantic_settings import BaseSettings

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Process:
    name: str
    env_prefix: str
    app_factory: str
    default_port: int
    root: Path

    @property
    def url_setting(self) -> str:
        return f"{self.env_prefix}DATABASE_URL"

    @property
    def settings_class(self) -> type[BaseSettings]:
        settings: type[BaseSettings] = importlib.import_module(f"{self.name}.settings").Settings
        return settings

    def setting_names(self) -> list[str]:
        """Every environment variable the process reads (``KAFAAT_OFFERS_DATABASE_URL``, …)."""
        return [self.env_prefix + name.upper() for name in self.settings_class.model_fields]


PROCESSES: tuple[Process, ...] = (
    Process("offers", "KAFAAT_OFFERS_", "offers.main:create_app", 8001, ROOT / "services/offers"),
    Process(
        "beneficiaries",
        "KAFAAT_BENEFICIARIES_",
        "beneficiaries.main:create_app",
        8002,
        ROOT / "services/beneficiaries",
    ),
    Process(
        "network", "KAFAAT_NETWORK_", "network.main:create_app", 8003, ROOT / "services/network"
    ),
    Process("gateway", "KAFAAT_GATEWAY_", "gateway.main:create_app", 8000, ROOT / "gateway"),
)
