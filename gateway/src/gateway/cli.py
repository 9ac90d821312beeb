"""``kafaat-gateway migrate | serve``."""

from __future__ import annotations

import sys
from pathlib import Path

from gateway.settings import Settings
from shared.cli import service_cli

SERVICE_ROOT = Path(__file__).resolve().parents[2]

run = service_cli(
    service="gateway",
    service_root=SERVICE_ROOT,
    settings_factory=Settings,
    app_factory="gateway.main:create_app",
    default_port=8000,
)


def main() -> None:
    sys.exit(run(None))
