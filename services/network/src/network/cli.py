"""``kafaat-network migrate | serve``."""

from __future__ import annotations

import sys
from pathlib import Path

from network.settings import Settings
from shared.cli import service_cli

SERVICE_ROOT = Path(__file__).resolve().parents[2]

run = service_cli("network", Settings, SERVICE_ROOT, default_port=8003)


def main() -> None:
    sys.exit(run(None))
