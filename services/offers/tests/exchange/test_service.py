"""The import pipeline on a database, without HTTP: its rows are built by the domains' services
(so they are stored exactly as the API stores them), and its transactions follow the mode."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from offers.catalogue import summary
from offers.catalogue.models import Offer
from offers.exchange.formats import FileFormat
from offers.exchange.pipeline import Importer, rows_of
from offers.exchange.schemas import ImportMode, ImportReport
from offers.providers import service as providers_service
from offers.providers.models import Provider
from shared.db import create_sessionmaker
from shared.principal import Role
from shared.testing import make_principal

from ..factories import OFFER, PROVIDER, Factory

SOURCE = {"source": "region-01"}
ADMIN = make_principal(role=Role.ADMIN)


def _provider(external_id: str, **fields: Any) -> dict[str, Any]:
    return {"record": "provider", "external_id": external_id, **SOURCE, **PROVIDER, **fields}


def _offer(external_id: str, provider: str, **fields: Any) -> dict[str, Any]:
    return {
        "record": "offer",
        "external_id": external_id,
        "provider_external_id": provider,
        **SOURCE,
        **OFFER,
        **fields,
    }


async def _run(engine: AsyncEngine, rows: list[dict[str, Any]], **options: Any) -> ImportReport:
    async def chunks() -> AsyncIterator[bytes]:
        yield "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode()

    importer = Importer(create_sessionmaker(engine), ADMIN, **options)
    return await importer.run(rows_of(FileFormat.JSONL, chunks()))


async def _count(db: AsyncSession, model: type[Any]) -> int:
    await db.rollback()  # see what other sessions committed
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def test_imported_rows_are_stored_as_the_api_stores_them(
    engine: AsyncEngine, db: AsyncSession, factory: Factory
) -> None:
    report = await _run(engine, [_provider("P1", name="Centre Ibn Sina", status="published")])
    assert report.providers.created == 1
    report = await _run(engine, [_offer("O1", "P1", title_fr="Cuisine du terroir")])
    assert report.offers.created == 1
    imported = await db.scalar(select(Offer).where(Offer.external_id == "O1"))
    provider = await db.scalar(select(Provider).where(Provider.external_id == "P1"))
    assert imported is not None
    assert provider is not None
    assert provider.name_key == providers_service.name_key("Centre Ibn Sina")
    assert imported.search_text == summary.search_text(
        "Cuisine du terroir", None, "centre ibn sina"
    )
    assert (imported.version, imported.status, imported.published_at) == (1, "draft", None)
    through_api = await factory.offer(provider, title_fr="Cuisine du terroir", publish=False)
    for column in ("search_text", "title_key", "region", "quality_base", "next_start_date"):
        assert getattr(imported, column) == getattr(through_api, column), column


async def test_keep_valid_commits_each_good_batch(engine: AsyncEngine, db: AsyncSession) -> None:
    rows = [_provider("P1"), _provider("P2"), _provider("P3", region="99"), _provider("P4")]
    report = await _run(engine, rows, mode=ImportMode.KEEP_VALID, batch_size=2)
    assert (report.committed, report.rejected, report.providers.rejected) == (True, False, 1)
    assert await _count(db, Provider) == 3


async def test_all_or_nothing_and_dry_runs_write_nothing(
    engine: AsyncEngine, db: AsyncSession
) -> None:
    rows = [_provider("P1"), _provider("P2", region="99")]
    rejected = await _run(engine, rows, batch_size=1)
    assert (rejected.committed, rejected.rejected) == (False, True)
    dry = await _run(engine, rows[:1], dry_run=True)
    assert (dry.committed, dry.rejected, dry.providers.created) == (False, False, 1)
    assert await _count(db, Provider) == 0


async def test_importing_the_same_file_again_changes_nothing(
    engine: AsyncEngine, db: AsyncSession
) -> None:
    rows = [_provider("P1", status="published"), _offer("O1", "P1", status="published")]
    await _run(engine, rows)
    again = await _run(engine, rows)
    assert (again.providers.unchanged, again.offers.unchanged) == (1, 1)
    await db.rollback()
    offer = await db.scalar(select(Offer))
    assert offer is not None
    assert offer.version == 1
