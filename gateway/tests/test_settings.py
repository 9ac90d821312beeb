"""The gateway's identity and edge settings, as an operator writes them."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from gateway.settings import Settings
from shared.settings import Environment
from shared.tokens import generate_private_key_pem


def test_production_needs_an_access_token_key(monkeypatch: pytest.MonkeyPatch) -> None:
    service_key = SecretStr(generate_private_key_pem().decode())
    with pytest.raises(ValidationError, match="ACCESS_TOKEN_PRIVATE_KEY is required"):
        Settings(environment=Environment.PRODUCTION, service_token_private_key=service_key)
    # An empty value (as compose writes an unset one) is no key either.
    monkeypatch.setenv("KAFAAT_GATEWAY_ACCESS_TOKEN_PRIVATE_KEY", "")
    with pytest.raises(ValidationError, match="ACCESS_TOKEN_PRIVATE_KEY is required"):
        Settings(environment=Environment.PRODUCTION, service_token_private_key=service_key)


def test_origins_and_redis_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "KAFAAT_GATEWAY_CORS_ORIGINS", "https://app.kafaat.ma, http://localhost:5173/"
    )
    monkeypatch.setenv("KAFAAT_GATEWAY_REDIS_URL", "")
    settings = Settings()
    assert settings.cors_origins == ["https://app.kafaat.ma", "http://localhost:5173"]
    assert settings.redis_url is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("KAFAAT_GATEWAY_CORS_ORIGINS", "*"),
        ("KAFAAT_GATEWAY_CORS_ORIGINS", "https://app.kafaat.ma/path"),
        ("KAFAAT_GATEWAY_RATE_LIMIT_PER_IP", "lots"),
        ("KAFAAT_GATEWAY_ACCESS_TOKEN_LIFETIME_SECONDS", "3600"),
    ],
)
def test_bad_values_stop_start_up_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    field = name.removeprefix("KAFAAT_GATEWAY_").lower()
    with pytest.raises(ValidationError, match=field):
        Settings()
