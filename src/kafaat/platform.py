"""The platform's processes as the launcher and the ops commands see them."""

from __future__ import annotations

import importlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic_settings import BaseSettings

from shared.peers import development_peer_key
from shared.tokens import public_key_pem

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

# Which service calls which for its callers (shared.peers): callee -> callers. The callee lists
# each caller's public key in its PEERS; the caller finds the callee at its <CALLEE>_URL.
PEER_CALLS: dict[str, tuple[str, ...]] = {"offers": ("beneficiaries",)}


def _process(name: str) -> Process:
    return next(process for process in PROCESSES if process.name == name)


def peer_environment(env: Mapping[str, str], ports: Mapping[str, int], host: str) -> dict[str, str]:
    """What ``make run`` (and the platform tests) add so that peers trust each other: each
    callee's ``PEERS`` from its callers' keys (their ``PEER_TOKEN_PRIVATE_KEY`` when set, else
    the development key each generates under its ``VAR_DIR``), each caller's ``<CALLEE>_URL``.
    A value already in ``env`` is left as it is."""
    added: dict[str, str] = {}
    for callee, callers in PEER_CALLS.items():
        trusted: dict[str, str] = {}
        for caller in callers:
            prefix = _process(caller).env_prefix
            private = env.get(f"{prefix}PEER_TOKEN_PRIVATE_KEY")
            if private:
                public = public_key_pem(private.encode())
            else:
                var_dir = Path(env.get(f"{prefix}VAR_DIR", "var"))
                _, public = development_peer_key(var_dir, caller)
            trusted[caller] = public.decode()
            added[f"{prefix}{callee.upper()}_URL"] = f"http://{host}:{ports[callee]}"
        added[f"{_process(callee).env_prefix}PEERS"] = json.dumps(trusted)
    return {name: value for name, value in added.items() if name not in env}
