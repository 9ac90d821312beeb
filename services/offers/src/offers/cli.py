"""``kafaat-offers migrate | serve``."""

from __future__ import annotations

import sys
from pathlib import Path

from offers.settings import Settings
from shared.cli import service_cli

SERVICE_ROOT = Path(__file__).resolve().parents[2]

run = service_cli(
    service="offers",
    service_root=SERVICE_ROOT,
    settings_factory=Settings,
    app_factory="offers.main:create_app",
    default_port=8001,
)


def main() -> None:
    sys.exit(run(None))
