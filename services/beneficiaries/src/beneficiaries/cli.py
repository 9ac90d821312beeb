"""``kafaat-beneficiaries migrate | serve``."""

from __future__ import annotations

import sys
from pathlib import Path

from beneficiaries.settings import Settings
from shared.cli import service_cli

SERVICE_ROOT = Path(__file__).resolve().parents[2]

run = service_cli("beneficiaries", Settings, SERVICE_ROOT, default_port=8002)


def main() -> None:
    sys.exit(run(None))
