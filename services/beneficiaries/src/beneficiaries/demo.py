"""Demo data for ``make run``: the association of the gateway's demo manager and counsellor
(``gateway.demo.DEMO_ASSOCIATION_ID``, region 01) with a few people at different stages and
consents, so both accounts can work at once. Loading it again changes nothing: the association
is looked up first. Written through the domain services, audited as the demo loader."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.access import Access
from beneficiaries.associations import service as associations_service
from beneficiaries.associations.schemas import AssociationCreate
from beneficiaries.consents.schemas import ConsentCreate
from beneficiaries.encryption import Vault
from beneficiaries.people import service as people_service
from beneficiaries.people.schemas import BeneficiaryCreate
from beneficiaries.settings import Settings
from beneficiaries.vocabulary import JourneyStage
from shared.db import create_engine, create_sessionmaker
from shared.demo import Scale
from shared.principal import Principal, Role

# The association the gateway's demo accounts manager@ and counsellor@ work for.
DEMO_ASSOCIATION_ID = UUID("6f1c2a4e-0d51-4c8e-9b0a-5a3e1d7c0001")
LOADER = Access(Principal(subject="kafaat seed-demo", kind="user", role=Role.ADMIN))

ASSOCIATION: dict[str, Any] = {
    "name": "Association Tamkine pour l'insertion des jeunes et des femmes",
    "legal_id": "RC-TET-2018-0421",
    "region": "01",
    "province": "01.571",
    "sectors": ["textile", "tourism", "crafts"],
    "contact_name": "Bureau de l'association",
    "contact_email": "contact@tamkine.example.ma",
    "contact_phone": "+212 539 70 12 34",
}

# Invented people (names, numbers): never real ones in demo data.
PEOPLE: list[tuple[dict[str, Any], JourneyStage, list[tuple[str, str]]]] = [
    (
        {
            "first_name": "Salma",
            "last_name": "Demo-Alaoui",
            "sex": "female",
            "birth_date": "2001-03-14",
            "cin": "LD100001",
            "phone": "+212 600 000 101",
            "commune": "Martil",
            "education_level": "upper_secondary",
            "vulnerabilities": [{"criterion": "neet_youth", "since": "2024-07-01"}],
        },
        JourneyStage.INTAKE,
        [("support", "given")],
    ),
    (
        {
            "first_name": "Yassine",
            "last_name": "Demo-Berrada",
            "sex": "male",
            "birth_date": "1997-10-02",
            "cin": "LD100002",
            "phone": "+212 600 000 102",
            "commune": "Tétouan",
            "education_level": "lower_secondary",
            "vulnerabilities": [
                {"criterion": "long_term_unemployed", "since": "2023-02-01"},
                {"criterion": "school_dropout", "since": "2012-06-30"},
            ],
        },
        JourneyStage.DIAGNOSIS,
        [("support", "given"), ("statistics", "given")],
    ),
    (
        {
            "first_name": "Imane",
            "last_name": "Demo-Chraibi",
            "sex": "female",
            "birth_date": "1989-05-21",
            "phone": "+212 600 000 103",
            "commune": "Fnideq",
            "education_level": "primary",
            "vulnerabilities": [
                {"criterion": "single_parent", "since": "2019-01-01"},
                {"criterion": "woman_in_precarity", "since": "2022-09-01"},
            ],
        },
        JourneyStage.TRAINING,
        [("support", "given"), ("sharing_with_providers", "given"), ("statistics", "given")],
    ),
    (
        {
            "first_name": "Omar",
            "last_name": "Demo-Daoudi",
            "sex": "male",
            "birth_date": "2003-12-09",
            "cin": "LD100004",
            "commune": "M'diq",
            "education_level": "upper_secondary",
            "vulnerabilities": [{"criterion": "rural_resident", "since": "2003-12-09"}],
        },
        JourneyStage.JOB_SEARCH,
        [("support", "given"), ("sharing_with_providers", "refused")],
    ),
]


async def load(db: AsyncSession, vault: Vault) -> bool:
    """Load the demo association and its people; False when they were there already."""
    if await associations_service.get(db, DEMO_ASSOCIATION_ID) is not None:
        return False
    data = AssociationCreate.model_validate(ASSOCIATION)
    await associations_service.create(db, LOADER, data, association_id=DEMO_ASSOCIATION_ID)
    for fields, stage, consents in PEOPLE:
        person = BeneficiaryCreate.model_validate(
            {"association_id": DEMO_ASSOCIATION_ID, "region": "01", "province": "01.571"} | fields
        )
        beneficiary = await people_service.create(db, LOADER, vault, person)
        # The demo starts people where the story is; their moves are the cases domain's.
        beneficiary.journey_stage = stage.value
        for purpose, status in consents:
            consent = ConsentCreate(
                purpose=purpose,  # type: ignore[arg-type]
                status=status,  # type: ignore[arg-type]
                decision_date=date(2026, 10, 1),
                method="signed_form",  # type: ignore[arg-type]
            )
            await people_service.record_consent(db, LOADER, beneficiary, consent)
        await db.flush()
    return True


async def seed(
    database_url: str, scale: Scale = Scale.PILOT, *, settings: Settings | None = None
) -> bool:
    settings = settings or Settings()
    vault = Vault.from_settings(settings)
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as db:
            loaded = await load(db, vault)
            await db.commit()
            return loaded
    finally:
        await engine.dispose()
