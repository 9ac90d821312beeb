"""Valid records built straight through the domains' services on a database session: the rules
run, HTTP does not. ``helpers.Api`` builds the same records through the API."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from offers.access import Access
from offers.catalogue import service as catalogue_service
from offers.catalogue.models import Offer
from offers.catalogue.schemas import OfferCreate
from offers.providers import service as providers_service
from offers.providers.models import Provider
from offers.providers.schemas import ProviderCreate
from offers.sessions import service as sessions_service
from offers.sessions.models import TrainingSession
from offers.sessions.schemas import SessionCreate
from shared.principal import Role
from shared.testing import make_principal

PROVIDER: dict[str, Any] = {
    "name": "Institut de Formation Professionnelle de Tétouan",
    "kind": "public_institute",
    "region": "01",
    "province": "01.571",
    "phone": "+212 539 00 00 00",
}
OFFER: dict[str, Any] = {
    "title_fr": "Électricité du bâtiment",
    "description": "Installer et entretenir les réseaux électriques des bâtiments. " * 6,
    "objectives": "Poser des circuits conformes, lire un schéma, diagnostiquer une panne.",
    "sector": "construction",
    "isced_field": "07",
    "isco_groups": ["7"],
    "mode": "in_person",
    "duration_hours": 300,
    "languages": ["ar", "fr"],
    "cost_mad": 0,
    "target_publics": ["neet_youth", "women"],
}
SESSION: dict[str, Any] = {
    "start_date": "2027-02-01",
    "end_date": "2027-06-30",
    "registration_deadline": "2027-01-20",
    "region": "01",
    "province": "01.571",
    "seats_total": 20,
    "status": "open",
}


def access(**principal: Any) -> Access:
    """The record scope of a caller (an admin unless told otherwise)."""
    principal.setdefault("role", Role.ADMIN)
    return Access(make_principal(**principal))


class Factory:
    """Records written with the services, as an admin, flushed in ``db`` (commit to share them
    with another session)."""

    def __init__(self, db: AsyncSession) -> None:
        self.db = db
        self.admin = access()

    async def provider(self, *, publish: bool = True, **fields: Any) -> Provider:
        data = ProviderCreate.model_validate(PROVIDER | fields)
        provider = await providers_service.create(self.db, self.admin, data)
        if publish:
            await providers_service.publish(self.db, self.admin, provider, None)
        return provider

    async def offer(
        self, provider: Provider | None = None, *, publish: bool = True, **fields: Any
    ) -> Offer:
        if provider is None:
            provider = await self.provider()
        data = OfferCreate.model_validate(OFFER | {"provider_id": provider.id} | fields)
        offer = await catalogue_service.create(self.db, self.admin, provider, data)
        if publish:
            await catalogue_service.publish(self.db, self.admin, offer, provider, None)
        return offer

    async def session(self, offer: Offer | None = None, **fields: Any) -> TrainingSession:
        if offer is None:
            offer = await self.offer()
        data = SessionCreate.model_validate(SESSION | {"offer_id": offer.id} | fields)
        return await sessions_service.create(self.db, self.admin, data)
