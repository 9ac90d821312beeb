from __future__ import annotations

from shared.settings import ServiceTokenVerifierSettings, service_config


class Settings(ServiceTokenVerifierSettings):
    """Settings of the beneficiaries service, from ``KAFAAT_BENEFICIARIES_*`` variables."""

    model_config = service_config("KAFAAT_BENEFICIARIES_")
