"""Bulk import: each row validated and reported with its line and field, upsert by (source,
external_id), all-or-nothing or keep-the-good-rows, dry run, scope, batches."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx2
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from offers.catalogue.models import Offer
from offers.exchange.formats import FileFormat
from offers.exchange.pipeline import Importer, rows_of
from offers.exchange.schemas import ImportMode
from offers.providers.models import Provider
from offers.sessions.models import TrainingSession
from shared.db import create_sessionmaker
from shared.principal import Role
from shared.testing import make_principal

from ..helpers import Api

HEADER = (
    "record,source,external_id,name,kind,region,province,phone,status,provider_external_id,"
    "title_fr,title_ar,description,sector,mode,duration_hours,cost_mad,target_publics,"
    "offer_external_id,start_date,end_date,seats_total"
)
PROVIDER = (
    "provider,,P1,Centre de Formation Al Hoceïma,public_institute,01,01.051,+212 539 11 22 33,"
    "published,,,,,,,,,,,,,"
)
OFFER = (
    'offer,,O1,,,,,,published,P1,"Électricité, bâtiment",الكهرباء,"Une description, avec une '
    'virgule",construction,in_person,300,0,women|rural,,,,'
)
SESSION = "session,,S1,,,01,01.051,,,,,,,,,,,,O1,2027-03-01,2027-06-30,15"
# Line 5 (after the header and three good rows): a duration of "trois cents".
BAD_OFFER = (
    "offer,,O2,,,,,,,P1,Soudure,,Souder l'acier,construction,in_person,trois cents,0,all,,,,"
)
OTHER_OFFER = (
    "offer,,O3,,,,,,,P1,Plomberie,,Poser des canalisations,construction,in_person,200,0,all,,,,"
)


def csv_file(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


async def post_import(
    api: Api, body: bytes, content_type: str = "text/csv", principal: Any = None, **params: Any
) -> httpx2.Response:
    return await api.request(
        "POST",
        "/v1/offers/import",
        principal,
        content=body,
        headers={"Content-Type": content_type},
        params={"source": "region-01", **params},
    )


async def counts(api: Api) -> tuple[int, int, int]:
    totals = []
    for path in ("/v1/providers", "/v1/offers", "/v1/sessions"):
        totals.append(len((await api.request("GET", path, params={"limit": 200})).json()["items"]))
    return totals[0], totals[1], totals[2]


async def test_import_then_reimport_changes_nothing(api: Api) -> None:
    first = await post_import(api, csv_file(PROVIDER, OFFER, SESSION))
    assert first.status_code == 200, first.text
    report = first.json()
    assert report["committed"] is True
    assert report["rows"] == 3
    assert [report[k]["created"] for k in ("providers", "offers", "sessions")] == [1, 1, 1]
    offers = (await api.request("GET", "/v1/offers", params={"q": "electricite"})).json()
    offer = offers["items"][0]
    assert offer["title_fr"] == "Électricité, bâtiment"
    assert offer["status"] == "published"
    assert offer["target_publics"] == ["women", "rural"]
    assert offer["next_session_start_date"] == "2027-03-01"
    sessions = (await api.request("GET", "/v1/sessions", params={"offer_id": offer["id"]})).json()
    session = sessions["items"][0]

    again = await post_import(api, csv_file(PROVIDER, OFFER, SESSION))
    assert again.status_code == 200, again.text
    unchanged = {"created": 0, "updated": 0, "unchanged": 1, "rejected": 0}
    assert [again.json()[k] for k in ("providers", "offers", "sessions")] == [unchanged] * 3
    assert (await api.request("GET", f"/v1/offers/{offer['id']}")).json() == offer
    assert (await api.request("GET", f"/v1/sessions/{session['id']}")).json() == session


async def test_a_changed_row_updates_its_record_once(api: Api) -> None:
    await post_import(api, csv_file(PROVIDER, OFFER, SESSION))
    changed = SESSION.replace(",15", ",25")
    report = (await post_import(api, csv_file(PROVIDER, OFFER, changed))).json()
    assert report["sessions"] == {"created": 0, "updated": 1, "unchanged": 0, "rejected": 0}
    assert report["offers"]["unchanged"] == 1
    session = (await api.request("GET", "/v1/sessions")).json()["items"][0]
    assert session["seats_total"] == 25
    assert session["version"] == 2


async def test_all_or_nothing_rejects_the_file_naming_line_and_field(api: Api) -> None:
    response = await post_import(api, csv_file(PROVIDER, OFFER, SESSION, BAD_OFFER))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["errors"] == [
        {
            "field": "line.5.duration_hours",
            "reason": problem["errors"][0]["reason"],
            "code": "import_row",
        }
    ]
    assert "integer" in problem["errors"][0]["reason"]
    report = problem["report"]
    assert report["committed"] is False
    assert report["errors"][0]["line"] == 5
    assert report["errors"][0]["field"] == "duration_hours"
    assert report["errors"][0]["external_id"] == "O2"
    assert report["offers"] == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    assert await counts(api) == (0, 0, 0)


async def test_keep_valid_writes_the_good_rows_and_reports_the_bad(api: Api) -> None:
    body = csv_file(PROVIDER, OFFER, BAD_OFFER, OTHER_OFFER, SESSION)
    response = await post_import(api, body, mode="keep_valid")
    assert response.status_code == 200
    report = response.json()
    assert report["committed"] is True
    assert report["error_count"] == 1
    assert (report["errors"][0]["line"], report["errors"][0]["field"]) == (4, "duration_hours")
    assert report["offers"] == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 1}
    assert await counts(api) == (1, 2, 1)


async def test_dry_run_reports_without_writing(api: Api) -> None:
    response = await post_import(api, csv_file(PROVIDER, OFFER, SESSION, BAD_OFFER), dry_run="true")
    assert response.status_code == 200
    report = response.json()
    assert report["dry_run"] is True
    assert report["committed"] is False
    assert report["sessions"]["created"] == 1
    assert report["error_count"] == 1
    assert await counts(api) == (0, 0, 0)


async def test_json_lines_and_row_errors(api: Api) -> None:
    lines = [
        {
            "record": "provider",
            "external_id": "P1",
            "name": "Centre d'Oujda",
            "kind": "chamber",
            "region": "02",
            "status": "published",
        },
        {
            "record": "offer",
            "external_id": "O1",
            "provider_external_id": "P1",
            "title_fr": "Maroquinerie",
            "description": "Travailler le cuir.",
            "sector": "crafts",
            "mode": "in_person",
            "duration_hours": 200,
            "cost_mad": 0,
            "status": "published",
            "languages": ["ar"],
        },
        {
            "record": "offer",
            "external_id": "O2",
            "provider_external_id": "P9",
            "title_fr": "Tissage",
            "description": "Tisser.",
            "sector": "crafts",
            "mode": "in_person",
            "duration_hours": 100,
            "cost_mad": 0,
        },
        {
            "record": "session",
            "external_id": "S1",
            "offer_external_id": "O1",
            "start_date": "2027-03-01",
            "end_date": "2027-02-01",
            "region": "02",
            "seats_total": 10,
        },
        {"record": "training", "external_id": "X"},
        {
            "record": "offer",
            "external_id": "O1",
            "provider_external_id": "P1",
            "title_fr": "Doublon",
            "description": "x",
            "sector": "crafts",
            "mode": "in_person",
            "duration_hours": 1,
            "cost_mad": 0,
        },
        {
            "record": "provider",
            "external_id": "P2",
            "name": "Centre",
            "kind": "company",
            "region": "02",
            "colour": "blue",
        },
    ]
    body = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n{broken\n"
    response = await post_import(api, body.encode(), "application/x-ndjson", mode="keep_valid")
    assert response.status_code == 200, response.text
    report = response.json()
    found = {(e["line"], e["field"]) for e in report["errors"]}
    assert found == {
        (3, "provider_external_id"),
        (4, "end_date"),
        (5, "record"),
        (6, "external_id"),
        (7, "colour"),
        (8, None),
    }
    assert report["providers"]["created"] == 1
    assert report["offers"]["created"] == 1
    assert await counts(api) == (1, 1, 0)


async def test_each_row_respects_the_callers_scope(api: Api) -> None:
    coordinator = make_principal(role=Role.REGIONAL_COORDINATOR, regions=("02",))
    response = await post_import(
        api, csv_file(PROVIDER, OFFER, SESSION), principal=coordinator, mode="keep_valid"
    )
    report = response.json()
    assert report["errors"][0] == {
        "line": 2,
        "record": "provider",
        "external_id": "P1",
        "field": "region",
        "reason": "you may not add providers in this region",
    }
    assert report["offers"]["rejected"] == 1
    assert report["sessions"]["rejected"] == 1
    await post_import(api, csv_file(PROVIDER, OFFER, SESSION))
    provider_id = (await api.request("GET", "/v1/providers")).json()["items"][0]["id"]
    staff = make_principal(role=Role.PROVIDER_STAFF, provider_id=provider_id, regions=("01",))
    new_offer = OTHER_OFFER.replace(",,,,,,,P1", ",,,,,,published,P1")
    refused = await post_import(api, csv_file(new_offer), principal=staff, mode="keep_valid")
    assert [(e["field"], e["reason"]) for e in refused.json()["errors"]] == [
        ("status", "only the coordinators of the region may publish")
    ]
    allowed = await post_import(api, csv_file(OTHER_OFFER), principal=staff)
    assert allowed.json()["offers"]["created"] == 1


async def test_provider_staff_cannot_move_their_provider_by_import(api: Api) -> None:
    await post_import(api, csv_file(PROVIDER))
    provider_id = (await api.request("GET", "/v1/providers")).json()["items"][0]["id"]
    staff = make_principal(role=Role.PROVIDER_STAFF, provider_id=provider_id, regions=("01",))
    to_oriental = PROVIDER.replace(",01,01.051,", ",02,02.411,").replace(",published,", ",,")
    refused = await post_import(api, csv_file(to_oriental), principal=staff, mode="keep_valid")
    assert [(e["line"], e["field"]) for e in refused.json()["errors"]] == [(2, "region")]
    assert "coordinators of both regions" in refused.json()["errors"][0]["reason"]
    assert (await api.request("GET", f"/v1/providers/{provider_id}")).json()["region"] == "01"
    both = make_principal(role=Role.REGIONAL_COORDINATOR, regions=("01", "02"))
    moved = await post_import(api, csv_file(to_oriental), principal=both)
    assert moved.json()["providers"]["updated"] == 1, moved.text
    assert (await api.request("GET", f"/v1/providers/{provider_id}")).json()["region"] == "02"


async def test_a_provider_outside_the_scope_is_reported_like_a_missing_one(api: Api) -> None:
    await post_import(api, csv_file(PROVIDER))
    coordinator = make_principal(role=Role.REGIONAL_COORDINATOR, regions=("02",))
    missing = OTHER_OFFER.replace(",P1,", ",P9,").replace(",O3,", ",O4,")
    report = (
        await post_import(
            api, csv_file(OTHER_OFFER, missing), principal=coordinator, mode="keep_valid"
        )
    ).json()
    reasons = [(e["line"], e["field"], e["reason"]) for e in report["errors"]]
    assert reasons == [
        (
            2,
            "provider_external_id",
            "no provider in your scope has source 'region-01' and external id 'P1' "
            "(import it first, or earlier in the file)",
        ),
        (
            3,
            "provider_external_id",
            "no provider in your scope has source 'region-01' and external id 'P9' "
            "(import it first, or earlier in the file)",
        ),
    ]


async def test_session_rows_follow_the_session_rules(api: Api) -> None:
    full = SESSION.replace("01.051,,,", "01.051,,full,", 1)
    report = (await post_import(api, csv_file(PROVIDER, OFFER, full), mode="keep_valid")).json()
    assert [(e["line"], e["field"]) for e in report["errors"]] == [(4, "status")]
    assert "reservations" in report["errors"][0]["reason"]


async def test_the_format_must_be_known(api: Api) -> None:
    response = await post_import(api, b"{}", content_type="application/octet-stream")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["query.format"]
    explicit = await post_import(
        api, csv_file(PROVIDER), content_type="application/octet-stream", format="csv"
    )
    assert explicit.status_code == 200
    header = await post_import(api, b"record,colour\nprovider,blue\n")
    assert header.status_code == 422
    assert header.json()["report"]["errors"][0]["field"] == "colour"


async def test_a_source_is_required(api: Api) -> None:
    response = await api.request(
        "POST",
        "/v1/offers/import",
        content=csv_file(PROVIDER),
        headers={"Content-Type": "text/csv"},
        params={"mode": "keep_valid"},
    )
    assert [(e["line"], e["field"]) for e in response.json()["errors"]] == [(2, "source")]


async def many_rows(count: int) -> AsyncIterator[bytes]:
    yield (
        json.dumps(
            {
                "record": "provider",
                "external_id": "P",
                "name": "Centre",
                "kind": "company",
                "region": "01",
            }
        )
        + "\n"
    ).encode()
    for n in range(count):
        row = {
            "record": "offer",
            "external_id": f"O{n}",
            "provider_external_id": "P",
            "title_fr": f"Offre {n}",
            "description": "Une offre.",
            "sector": "commerce",
            "mode": "remote",
            "duration_hours": 10,
            "cost_mad": 0,
        }
        if n == count - 1:
            row["sector"] = "banking"
        yield (json.dumps(row) + "\n").encode()


async def stored_counts(engine: AsyncEngine) -> tuple[int, int, int]:
    async with engine.connect() as connection:
        results = []
        for model in (Provider, Offer, TrainingSession):
            results.append(await connection.scalar(select(func.count()).select_from(model)))
        return results[0] or 0, results[1] or 0, results[2] or 0


async def test_batches_and_modes_across_batches(app: FastAPI, engine: AsyncEngine) -> None:
    admin = make_principal(role=Role.ADMIN)
    sessionmaker = create_sessionmaker(engine)
    progress: list[int] = []
    # All or nothing: the error in the last batch undoes the earlier batches too.
    importer = Importer(
        sessionmaker, admin, default_source="bulk", batch_size=100, on_progress=progress.append
    )
    report = await importer.run(rows_of(FileFormat.JSONL, many_rows(450)))
    assert progress == [100, 200, 300, 400, 451]
    assert report.error_count == 1
    assert report.errors[0].line == 451
    assert report.committed is False
    assert await stored_counts(engine) == (0, 0, 0)
    # Keep the good rows: every batch but the bad row is kept.
    importer = Importer(
        sessionmaker, admin, mode=ImportMode.KEEP_VALID, default_source="bulk", batch_size=100
    )
    report = await importer.run(rows_of(FileFormat.JSONL, many_rows(450)))
    assert report.offers.created == 449
    assert await stored_counts(engine) == (1, 449, 0)
