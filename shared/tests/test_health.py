"""``/healthz`` needs nothing; ``/readyz`` answers 503 while the database is unreachable."""

from __future__ import annotations

import pytest

from shared.app import create_service_app
from shared.settings import Environment, ServiceTokenVerifierSettings
from shared.testing import Keys, asgi_client, free_port, verifier_settings


async def test_readyz_is_503_when_the_database_is_down(keys: Keys) -> None:
    # Nothing listens on this port: the database is "down".
    down = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/nothing"
    settings = verifier_settings(ServiceTokenVerifierSettings)(down, keys)
    app = create_service_app(
        service="things", title="t", description="d", settings=settings, routers=[]
    )
    async with asgi_client(app) as client:
        assert (await client.get("/healthz")).status_code == 200
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Not ready"


def test_production_refuses_to_start_without_keys() -> None:
    with pytest.raises(ValueError, match="SERVICE_TOKEN_PUBLIC_KEYS is required in production"):
        ServiceTokenVerifierSettings(environment=Environment.PRODUCTION)
