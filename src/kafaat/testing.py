"""Harness for cross-service tests: the real processes of the platform on loopback."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kafaat import launcher
from kafaat.platform import PROCESSES
from shared.testing import Keys

UPSTREAM_DEADLINE = 2.0


@dataclass
class Platform:
    base_url: str
    ports: dict[str, int]
    running: list[launcher.Running]
    database_urls: dict[str, str]

    def url(self, process: str) -> str:
        return f"http://127.0.0.1:{self.ports[process]}"

    def process(self, name: str) -> launcher.Running:
        return next(item for item in self.running if item.process.name == name)


def platform_env(keys: Keys, urls: dict[str, str], var_dir: Path) -> dict[str, str]:
    env = {
        "KAFAAT_GATEWAY_SERVICE_TOKEN_PRIVATE_KEY": keys.private_pem.decode(),
        "KAFAAT_GATEWAY_UPSTREAM_DEADLINE": str(UPSTREAM_DEADLINE),
        "KAFAAT_GATEWAY_CONNECT_TIMEOUT": "1.0",
    }
    for process in PROCESSES:
        env[f"{process.env_prefix}DATABASE_URL"] = urls[process.name]
        env[f"{process.env_prefix}VAR_DIR"] = str(var_dir)
        env[f"{process.env_prefix}ENVIRONMENT"] = "test"
        if process.name != "gateway":
            env[f"{process.env_prefix}SERVICE_TOKEN_PUBLIC_KEYS"] = keys.public_pem.decode()
    return env
