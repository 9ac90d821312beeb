"""Valid records built straight through the domains' services on a database session: the rules
run, HTTP does not. ``helpers.Api`` builds the same records through the API."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from network.access import Access
from network.institution_models.programme import CHARTER_MODEL_ID, PUBLIC_MANDATE_MODEL_ID
from network.labour_needs import service as needs_service
from network.labour_needs.models import LabourNeed
from network.labour_needs.schemas import LabourNeedCreate
from network.memberships import service as memberships_service
from network.memberships.models import Membership
from network.memberships.schemas import MembershipCreate
from network.networks import service as networks_service
from network.networks.models import Network, WorkingGroup
from network.networks.schemas import NetworkCreate, WorkingGroupCreate
from network.partners import service as partners_service
from network.partners.models import Partner
from network.partners.schemas import PartnerCreate
from shared.principal import Role
from shared.testing import make_principal

PARTNER: dict[str, Any] = {
    "name": "Textiles du Détroit SARL",
    "kind": "company",
    "sectors": ["textile"],
    "regions": ["01"],
    "size_band": "medium",
    "email": "rh@textiles-detroit.ma",
}
NETWORK: dict[str, Any] = {
    "region": "01",
    "name": "Réseau régional emploi-formation de Tanger-Tétouan-Al Hoceïma",
    "model_id": str(PUBLIC_MANDATE_MODEL_ID),
    "founding_date": "2025-03-12",
}
GROUP: dict[str, Any] = {"name": "Groupe textile", "sector": "textile"}
NEED: dict[str, Any] = {
    "region": "01",
    "province": "01.511",
    "sector": "textile",
    "isco_group": "7",
    "positions": 12,
    "horizon": "2027-Q1",
    "contract_type": "fixed_term",
    "skills": ["couture industrielle", "contrôle qualité"],
}
MODELS = (PUBLIC_MANDATE_MODEL_ID, CHARTER_MODEL_ID)


def access(**principal: Any) -> Access:
    """The record scope of a caller (an admin unless told otherwise)."""
    principal.setdefault("role", Role.ADMIN)
    return Access(make_principal(**principal))


class Factory:
    """Records written with the services, as an admin, flushed in ``db``."""

    def __init__(self, db: AsyncSession) -> None:
        self.db = db
        self.admin = access()

    async def partner(self, **fields: Any) -> Partner:
        data = PartnerCreate.model_validate(PARTNER | fields)
        return await partners_service.create(self.db, self.admin, data)

    async def network(self, **fields: Any) -> Network:
        data = NetworkCreate.model_validate(NETWORK | fields)
        return await networks_service.create_network(self.db, self.admin, data)

    async def group(self, network: Network | None = None, **fields: Any) -> WorkingGroup:
        if network is None:
            network = await self.network()
        data = WorkingGroupCreate.model_validate(GROUP | {"network_id": network.id} | fields)
        return await networks_service.create_group(self.db, self.admin, data)

    async def membership(
        self,
        partner: Partner,
        network: Network | None = None,
        group: WorkingGroup | None = None,
        **fields: Any,
    ) -> Membership:
        data = MembershipCreate.model_validate(
            {"partner_id": partner.id, "since": "2025-01-01"} | fields
        )
        return await memberships_service.create(
            self.db,
            self.admin,
            data,
            network_id=network.id if network is not None else None,
            group_id=group.id if group is not None else None,
        )

    async def need(self, partner: Partner, **fields: Any) -> LabourNeed:
        data = LabourNeedCreate.model_validate(NEED | {"partner_id": partner.id} | fields)
        return await needs_service.create(self.db, self.admin, data)
