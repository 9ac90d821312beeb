"""Referrals across two real services: the beneficiaries app in process, the offers app on a
loopback port (``shared.testing.serve``) with its own database of the same backend, reached
through a transport the tests can cut (offers stopped between two steps of a request)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any
from uuid import UUID

import httpx2
import pytest
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from beneficiaries.audit.immutability import sqlite_triggers
from beneficiaries.database import Base
from beneficiaries.main import create_app
from beneficiaries.settings import Settings
from kafaat.platform import ROOT
from offers.main import create_app as create_offers_app
from offers.settings import Settings as OffersSettings
from shared.peers import PeerClient
from shared.principal import Principal, Role
from shared.testing import (
    Keys,
    OpenApp,
    PeerKeys,
    ServiceUnderTest,
    make_principal,
    migrated_engine,
    scratch_database,
    serve,
    settings_for_test,
    verifier_settings,
)
from shared.testing.databases import empty_tables

PEER = PeerKeys("beneficiaries")
Hook = Callable[[], Awaitable[None]]


def _settings(database_url: str, keys: Keys, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "peer_token_private_key": SecretStr(PEER.private_pem.decode()),
        "offers_url": "http://offers.test",
        # Settle quickly: the tests wait for the worker.
        "referral_settle_after_seconds": 0.3,
        "referral_retry_seconds": 0.2,
    }
    return verifier_settings(Settings)(database_url, keys, **(values | overrides))


@pytest.fixture(scope="session")
def service_under_test() -> ServiceUnderTest:
    root = ROOT / "services/beneficiaries"
    return ServiceUnderTest("beneficiaries", root, Base.metadata, create_app, _settings)


@pytest.fixture
async def clean_tables(
    service_under_test: ServiceUnderTest, engine: AsyncEngine
) -> AsyncIterator[AsyncEngine]:
    """As the beneficiaries suite does: the audit triggers lifted on SQLite for the emptying."""
    yield engine
    sqlite = engine.dialect.name == "sqlite"
    if sqlite:
        async with engine.begin() as connection:
            for name, _ in sqlite_triggers():
                await connection.execute(text(f"DROP TRIGGER {name}"))
    try:
        await empty_tables(engine, service_under_test.metadata)
    finally:
        if sqlite:
            async with engine.begin() as connection:
                for _, create in sqlite_triggers():
                    await connection.execute(text(create))


@pytest.fixture(scope="session")
async def offers_settings(
    backend: str, keys: Keys, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[OffersSettings]:
    directory = tmp_path_factory.mktemp("offers")
    async with scratch_database(backend, "kafaat_test_offers_peer", directory) as url:
        engine = await migrated_engine(ROOT / "services/offers", url)
        await engine.dispose()
        yield settings_for_test(
            OffersSettings,
            url,
            var_dir=directory,
            service_token_public_keys=SecretStr(keys.public_pem.decode()),
            peers=PEER.setting(),
            import_workers=0,
        )


class Offers(httpx2.AsyncBaseTransport):
    """The offers service on loopback, and the way the beneficiaries service reaches it: a
    transport that sends to wherever offers runs now (refused while it is stopped), and can run
    a hook before or after the next seat reservation passes (to stop offers right there)."""

    def __init__(self, settings: OffersSettings) -> None:
        self.settings = settings
        self.url: str | None = None
        self._stack: AsyncExitStack | None = None
        self._inner = httpx2.AsyncHTTPTransport()
        self.before_reservation: Hook | None = None
        self.after_reservation: Hook | None = None

    async def start(self) -> str:
        self._stack = AsyncExitStack()
        self.url = await self._stack.enter_async_context(serve(create_offers_app(self.settings)))
        return self.url

    async def stop(self) -> None:
        """Stop the offers process; it refuses connections until started again."""
        if self._stack is not None:
            await self._stack.aclose()
            self._stack = None

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        reserving = request.method == "POST" and request.url.path.endswith("/reservations")
        if reserving and self.before_reservation is not None:
            hook, self.before_reservation = self.before_reservation, None
            await hook()
        target = httpx2.URL(self.url or "http://127.0.0.1:9")
        request.url = request.url.copy_with(host=target.host, port=target.port)
        response = await self._inner.handle_async_request(request)
        if reserving and self.after_reservation is not None:
            hook, self.after_reservation = self.after_reservation, None
            await response.aread()
            await hook()
            raise httpx2.ReadError("the answer was lost with offers")
        return response

    async def aclose(self) -> None:
        """Nothing: the clients that use this transport come and go, offers stays."""

    async def shutdown(self) -> None:
        await self.stop()
        await self._inner.aclose()

    async def call(self, method: str, path: str, keys: Keys, **kwargs: Any) -> httpx2.Response:
        """A call to offers as the gateway would make it (an admin unless told otherwise)."""
        principal = kwargs.pop("principal", None) or make_principal(role=Role.ADMIN)
        assert self.url is not None
        async with httpx2.AsyncClient(base_url=self.url, trust_env=False) as client:
            return await client.request(
                method, path, headers=keys.headers("offers", principal), **kwargs
            )


@pytest.fixture
async def offers(offers_settings: OffersSettings) -> AsyncIterator[Offers]:
    running = Offers(offers_settings)
    await running.start()
    try:
        yield running
    finally:
        await running.shutdown()


def connect(app: Any, offers: Offers) -> None:
    """Point the app's offers client (and so its worker) at the test's offers."""
    settings: Settings = app.state.settings
    client = PeerClient(
        "offers",
        "http://offers.test",
        app.state.offers.signer,
        connect_timeout=settings.peer_connect_timeout,
        timeout=settings.peer_timeout,
        transport=offers,
    )
    client.open()
    app.state.offers = client


class World:
    """An association, a counsellor of it, a person with the sharing consent, an open session
    in offers and the staff of its provider."""

    def __init__(self, client: httpx2.AsyncClient, keys: Keys, offers: Offers) -> None:
        self.client = client
        self.keys = keys
        self.offers = offers
        self.admin = make_principal(role=Role.ADMIN)

    async def request(
        self, method: str, path: str, principal: Principal | None = None, **kwargs: Any
    ) -> httpx2.Response:
        headers = {**self.keys.headers("beneficiaries", principal or self.admin)}
        headers.update(kwargs.pop("headers", {}))
        return await self.client.request(method, path, headers=headers, **kwargs)

    async def association(self) -> UUID:
        body = {"name": "Association Al Amal", "region": "01"}
        response = await self.request("POST", "/v1/associations", json=body)
        assert response.status_code == 201, response.text
        return UUID(response.json()["id"])

    def counsellor(self, association_id: UUID) -> Principal:
        return make_principal(role=Role.COUNSELLOR, association_id=association_id, regions=("01",))

    async def person(self, counsellor: Principal, *, consent: str | None = "given") -> UUID:
        body = {
            "first_name": "Salma",
            "last_name": "Bennani",
            "sex": "female",
            "birth_date": "1999-04-02",
            "phone": "+212 661 00 00 01",
            "email": "salma@example.org",
            "region": "01",
        }
        response = await self.request("POST", "/v1/beneficiaries", counsellor, json=body)
        assert response.status_code == 201, response.text
        person = UUID(response.json()["id"])
        if consent is not None:
            await self.consent(counsellor, person, consent)
        return person

    async def consent(self, counsellor: Principal, person: UUID, status: str) -> None:
        body = {
            "purpose": "sharing_with_providers",
            "status": status,
            "decision_date": "2026-11-30",
            "method": "signed_form",
        }
        path = f"/v1/beneficiaries/{person}/consents"
        response = await self.request("POST", path, counsellor, json=body)
        assert response.status_code == 201, response.text

    async def session(self, seats_total: int = 5) -> dict[str, Any]:
        provider = await self._created(
            "/v1/providers",
            {
                "name": "Institut de Formation Professionnelle de Tétouan",
                "kind": "public_institute",
                "region": "01",
                "province": "01.571",
                "phone": "+212 539 00 00 00",
            },
        )
        await self.offers.call("POST", f"/v1/providers/{provider['id']}/publish", self.keys)
        offer = await self._created(
            "/v1/offers",
            {
                "provider_id": provider["id"],
                "title_fr": "Électricité du bâtiment",
                "description": "Installer et entretenir les réseaux électriques des bâtiments. "
                * 6,
                "objectives": "Poser des circuits conformes, lire un schéma, diagnostiquer.",
                "sector": "construction",
                "isced_field": "07",
                "isco_groups": ["7"],
                "mode": "in_person",
                "duration_hours": 300,
                "languages": ["ar", "fr"],
                "cost_mad": 0,
                "target_publics": ["neet_youth", "women"],
            },
        )
        await self.offers.call("POST", f"/v1/offers/{offer['id']}/publish", self.keys)
        return await self._created(
            "/v1/sessions",
            {
                "offer_id": offer["id"],
                "start_date": "2027-02-01",
                "end_date": "2027-06-30",
                "registration_deadline": "2027-01-20",
                "region": "01",
                "province": "01.571",
                "seats_total": seats_total,
                "status": "open",
            },
        )

    def staff_of(self, session: dict[str, Any]) -> Principal:
        return make_principal(
            role=Role.PROVIDER_STAFF,
            provider_id=UUID(session["offer"]["provider_id"]),
            regions=("01",),
        )

    async def seats_reserved(self, session_id: str) -> int:
        response = await self.offers.call("GET", f"/v1/sessions/{session_id}", self.keys)
        return int(response.json()["seats_reserved"])

    async def _created(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.offers.call("POST", path, self.keys, json=body)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    async def refer(
        self, counsellor: Principal, person: UUID, session_id: str, **headers: str
    ) -> httpx2.Response:
        body = {"beneficiary_id": str(person), "session_id": session_id}
        return await self.request("POST", "/v1/referrals", counsellor, json=body, headers=headers)


@pytest.fixture
async def world(open_app: OpenApp, offers: Offers, keys: Keys) -> AsyncIterator[World]:
    async with open_app() as (app, client):
        connect(app, offers)
        try:
            yield World(client, keys, offers)
        finally:
            await app.state.offers.close()
