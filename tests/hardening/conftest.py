"""The platform the hardening tests attack: the four real processes on loopback, on PostgreSQL
(unless ``KAFAAT_TEST_BACKENDS`` leaves it out), with the demo account of every role signed in.

Rate limits are raised so that 429 does not hide what the fuzzer sends (the 429 itself is tested
on its own, see ``test_owasp.py``), CORS is granted to one origin so that the CORS tests can tell
a refusal from a feature that is off, and the body limit is small so that 413 is cheap to reach.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from gateway.demo import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from kafaat.hardening import (
    HARDENED_SETTINGS,
    Api,
    World,
    association_of_region,
    created,
    member_of,
    person,
    region_world,
)
from kafaat.testing import Platform, running_platform
from shared.principal import Role
from shared.testing import Keys, backends

DEMO_EMAILS = {
    "admin": "admin@demo.kafaat.ma",
    "regional_coordinator": "coordinator.tanger@demo.kafaat.ma",
    "association_manager": "manager@demo.kafaat.ma",
    "counsellor": "counsellor@demo.kafaat.ma",
    "provider_staff": "provider@demo.kafaat.ma",
    "partner_member": "partner@demo.kafaat.ma",
    "viewer": "viewer@demo.kafaat.ma",
}


def hardening_backend() -> str:
    """PostgreSQL, the production database; SQLite only when the run leaves PostgreSQL out."""
    available = backends()
    return "postgresql" if "postgresql" in available else available[0]


@pytest.fixture(scope="session")
async def hardened(keys: Keys, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Platform]:
    directory = tmp_path_factory.mktemp("hardened")
    async with running_platform(
        hardening_backend(), keys, directory, HARDENED_SETTINGS
    ) as platform:
        yield platform


@pytest.fixture(scope="session")
def api(hardened: Platform) -> Iterator[Api]:
    client = Api(hardened.base_url)
    yield client
    client.close()


@pytest.fixture(scope="session")
def callers(api: Api) -> dict[str, dict[str, str]]:
    """Credentials of each kind of caller: the demo account of every role, the demo client."""
    headers = {role: api.sign_in(email) for role, email in DEMO_EMAILS.items()}
    headers["anonymous"] = {}
    headers["api_client"] = api.client_token(str(DEMO_CLIENT_ID), DEMO_CLIENT_SECRET)
    return headers


@pytest.fixture(scope="session")
def world(api: Api, callers: dict[str, dict[str, str]], hardened: Platform) -> World:
    admin = callers["admin"]
    gateway_db = hardened.database_urls["gateway"]
    built = region_world(api, admin, callers["regional_coordinator"], gateway_db)
    other_association = association_of_region(api, admin, "01")
    home = {"regions": ["01"]}
    other_provider = built.provider()
    other_client = created(
        api.post(
            "/api/v1/api-clients",
            headers=admin,
            json={
                "name": "SI de l'Oriental",
                "scopes": ["offers:read", "offers:write", "network:read", "network:write"],
                "regions": ["02"],
            },
        )
    )
    built.outsiders = {
        "anonymous": {},
        "regional_coordinator": api.sign_in("coordinator.oriental@demo.kafaat.ma"),
        "association_manager": member_of(
            api, gateway_db, Role.ASSOCIATION_MANAGER, other_association
        ),
        "counsellor": member_of(api, gateway_db, Role.COUNSELLOR, other_association),
        "provider_staff": person(api, admin, "provider_staff", provider_id=other_provider, **home),
        "partner_member": callers["partner_member"],
        "viewer": callers["viewer"],
        "api_client": api.client_token(other_client["client_id"], other_client["client_secret"]),
    }
    return built
