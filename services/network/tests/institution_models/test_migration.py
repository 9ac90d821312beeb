"""The programme's two models exist right after migration, with the ids the README gives."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from network.institution_models.models import InstitutionModel
from network.institution_models.programme import (
    CHARTER_MODEL_ID,
    PROGRAMME_MODELS,
    PUBLIC_MANDATE_MODEL_ID,
)
from shared.testing import migrated_engine, scratch_database

SERVICE_ROOT = Path(__file__).resolve().parents[2]


async def test_a_fresh_migration_holds_the_two_programme_models(
    backend: str, tmp_path: Path
) -> None:
    async with scratch_database(backend, "kafaat_test_network_fresh", tmp_path) as url:
        engine = await migrated_engine(SERVICE_ROOT, url)
        try:
            async with engine.connect() as connection:
                rows = (
                    await connection.execute(
                        select(
                            InstitutionModel.id,
                            InstitutionModel.name,
                            InstitutionModel.description,
                            InstitutionModel.governance,
                        ).order_by(InstitutionModel.id)
                    )
                ).all()
        finally:
            await engine.dispose()
    assert [row.id for row in rows] == [PUBLIC_MANDATE_MODEL_ID, CHARTER_MODEL_ID]
    # The migration's frozen copy and the code's constants say the same.
    expected = {m["id"]: (m["name"], m["description"], m["governance"]) for m in PROGRAMME_MODELS}
    assert {row.id: (row.name, row.description, row.governance) for row in rows} == expected
    assert rows[1].governance["chair"]["rotating"] is True
