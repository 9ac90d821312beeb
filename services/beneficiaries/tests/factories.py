"""Valid records built straight through the domains' services on a database session: the rules
run, HTTP does not. ``helpers.Api`` builds the same records through the API."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.access import Access
from beneficiaries.associations import service as associations_service
from beneficiaries.associations.models import Association
from beneficiaries.associations.schemas import AssociationCreate
from beneficiaries.consents.schemas import ConsentCreate
from beneficiaries.encryption import Vault
from beneficiaries.people import service as people_service
from beneficiaries.people.models import Beneficiary
from beneficiaries.people.schemas import BeneficiaryCreate
from beneficiaries.settings import Settings
from shared.principal import Principal, Role
from shared.settings import Environment
from shared.testing import make_principal

ASSOCIATION: dict[str, Any] = {
    "name": "Association Al Amal pour l'insertion",
    "legal_id": "RC-TET-2019-114",
    "region": "01",
    "province": "01.571",
    "sectors": ["textile", "tourism"],
    "contact_name": "Fatima Zahra Bennani",
    "contact_email": "contact@alamal.example.ma",
    "contact_phone": "+212 539 11 22 33",
}
# Values the raw-database and log tests look for: none may ever appear in clear.
PERSON: dict[str, Any] = {
    "first_name": "Khadija",
    "last_name": "Ouazzani",
    "sex": "female",
    "birth_date": "1998-04-12",
    "cin": "LC347281",
    "phone": "+212 661 48 27 93",
    "email": "khadija.o@example.ma",
    "commune": "Martil",
    "region": "01",
    "province": "01.571",
    "education_level": "upper_secondary",
    "vulnerabilities": [
        {"criterion": "woman_in_precarity", "since": "2024-09-01"},
        {"criterion": "long_term_unemployed", "since": "2023-01-15"},
    ],
}
CONSENT: dict[str, Any] = {
    "purpose": "support",
    "status": "given",
    "decision_date": "2026-11-02",
    "method": "signed_form",
}


def access(principal: Principal | None = None, **fields: Any) -> Access:
    """The record scope of a caller (an admin unless told otherwise)."""
    fields.setdefault("role", Role.ADMIN)
    return Access(principal or make_principal(**fields))


def staff(role: Role, association_id: UUID) -> Principal:
    return make_principal(role=role, regions=("01",), association_id=association_id)


def development_vault() -> Vault:
    """The keys of the test application (the development keys under ``var``)."""
    return Vault.from_settings(Settings(environment=Environment.TEST))


class Factory:
    """Records written with the services, flushed in ``db`` (commit to share them)."""

    def __init__(self, db: AsyncSession) -> None:
        self.db = db
        self.admin = access()
        self.vault = development_vault()

    async def association(self, **fields: Any) -> Association:
        data = AssociationCreate.model_validate(ASSOCIATION | fields)
        return await associations_service.create(self.db, self.admin, data)

    async def person(self, association: Association | None = None, **fields: Any) -> Beneficiary:
        if association is None:
            association = await self.association()
        data = BeneficiaryCreate.model_validate(
            PERSON | {"association_id": association.id} | fields
        )
        return await people_service.create(self.db, self.admin, self.vault, data)

    async def consent(self, person: Beneficiary, **fields: Any) -> None:
        data = ConsentCreate.model_validate(CONSENT | fields)
        await people_service.record_consent(self.db, self.admin, person, data)
