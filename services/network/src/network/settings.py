from __future__ import annotations

from typing import Self

from pydantic import SecretStr, model_validator

from shared.settings import ServiceTokenVerifierSettings, service_config


class Settings(ServiceTokenVerifierSettings):
    """Settings of the network service, read from ``KAFAAT_NETWORK_*`` environment variables."""

    model_config = service_config("KAFAAT_NETWORK_")

    # Derives the calendar feeds' tokens (network.feeds.tokens): changing it revokes every
    # feed. Outside production a development secret is kept under VAR_DIR/keys.
    calendar_feed_secret: SecretStr | None = None
    # The public address of the platform (https://kafaat.example.ma): feed URLs are absolute,
    # for calendar applications. Empty: URLs start at /api.
    public_base_url: str = ""

    @model_validator(mode="after")
    def _require_feed_secret_in_production(self) -> Self:
        if self.is_production and self.calendar_feed_secret is None:
            raise ValueError(
                "KAFAAT_NETWORK_CALENDAR_FEED_SECRET is required in production: set it to a "
                "long random value (changing it revokes every calendar feed)"
            )
        return self
