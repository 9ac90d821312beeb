from __future__ import annotations

from shared.settings import ServiceTokenVerifierSettings, service_config


class Settings(ServiceTokenVerifierSettings):
    """Settings of the offers service, read from ``KAFAAT_OFFERS_*`` environment variables."""

    model_config = service_config("KAFAAT_OFFERS_")
