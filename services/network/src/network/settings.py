from __future__ import annotations

from shared.settings import ServiceTokenVerifierSettings, service_config


class Settings(ServiceTokenVerifierSettings):
    """Settings of the network service, read from ``KAFAAT_NETWORK_*`` environment variables."""

    model_config = service_config("KAFAAT_NETWORK_")
