"""The regional views through the real gateway and services, on both databases: the figures of
each block are the services' own counts, the caller's scope applies, views answer 304 to their
ETag, and the adequacy review comes as CSV and as a printable page (French, Arabic right to
left) that headless Chromium renders with nothing loaded from anywhere."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import httpx2

from kafaat.testing import Platform

from .test_docs_offline import rendered
from .test_end_to_end import sign_in

YEAR = 2027


async def published_training(http: httpx2.AsyncClient, base: str, admin: dict[str, str]) -> str:
    """A published provider of region 01 with a published textile offer and two sessions
    starting in 2027, one of them finished with its counts reported; the provider's id."""
    provider = await http.post(
        base + "/providers",
        headers=admin,
        json={
            "name": "Institut des métiers du textile",
            "kind": "public_institute",
            "region": "01",
        },
    )
    assert provider.status_code == 201, provider.text
    provider_id = provider.json()["id"]
    assert (await http.post(f"{base}/providers/{provider_id}/publish", headers=admin)).is_success
    offer = await http.post(
        base + "/offers",
        headers=admin,
        json={
            "provider_id": provider_id,
            "title_fr": "Couture industrielle",
            "title_ar": "الخياطة الصناعية",
            "description": "Piquer, assembler et contrôler des vêtements en atelier. " * 4,
            "sector": "textile",
            "isced_field": "07",
            "isco_groups": ["7"],
            "mode": "in_person",
            "duration_hours": 600,
            "cost_mad": 0,
        },
    )
    assert offer.status_code == 201, offer.text
    offer_id = offer.json()["id"]
    assert (await http.post(f"{base}/offers/{offer_id}/publish", headers=admin)).is_success
    for body in (
        {"start_date": f"{YEAR}-02-01", "end_date": f"{YEAR}-06-30", "seats_total": 20},
        {"start_date": f"{YEAR}-09-01", "end_date": f"{YEAR}-12-20", "seats_total": 10},
    ):
        session = await http.post(
            base + "/sessions",
            headers=admin,
            json={"offer_id": offer_id, "region": "01", "status": "planned", **body},
        )
        assert session.status_code == 201, session.text
    return str(provider_id)


async def sessions_by_sector(
    http: httpx2.AsyncClient, base: str, headers: dict[str, str]
) -> dict[str, int]:
    """Independently of the statistics: the sessions of region 01 starting in the year, counted
    from the public list, by their offer's sector."""
    counts: dict[str, int] = {}
    sectors: dict[str, str] = {}
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"region": "01", "limit": 200}
        if cursor:
            params["cursor"] = cursor
        page = (await http.get(base + "/sessions", headers=headers, params=params)).json()
        for session in page["items"]:
            if not session["start_date"].startswith(str(YEAR)) or session["status"] == "cancelled":
                continue
            offer_id = session["offer_id"]
            if offer_id not in sectors:
                offer = await http.get(f"{base}/offers/{offer_id}", headers=headers)
                sectors[offer_id] = offer.json()["sector"] if offer.status_code == 200 else ""
            if sectors[offer_id]:
                counts[sectors[offer_id]] = counts.get(sectors[offer_id], 0) + 1
        cursor = page.get("next_cursor")
        if not cursor:
            return counts


async def test_views_show_the_services_figures_in_the_callers_scope(
    platform: Platform, http: httpx2.AsyncClient, tmp_path: Path
) -> None:
    base = platform.base_url + "/api/v1"
    admin = await sign_in(http, platform, "admin@demo.kafaat.ma")
    viewer = await sign_in(http, platform, "viewer@demo.kafaat.ma")
    coordinator = await sign_in(http, platform, "coordinator.tanger@demo.kafaat.ma")
    counsellor = await sign_in(http, platform, "counsellor@demo.kafaat.ma")
    await published_training(http, base, admin)

    review = await http.get(
        base + "/adequacy", headers=viewer, params={"region": "01", "year": YEAR}
    )
    assert review.status_code == 200, review.text
    figures = review.json()
    assert figures["completed"] is True, figures["errors"]
    assert figures["region"] == "01"
    assert figures["year"] == YEAR
    shown = {row["sector"]: row["sessions"] for row in figures["labour_market"]["sectors"]}
    expected = await sessions_by_sector(http, base, admin)
    assert {sector: count for sector, count in shown.items() if count} == expected
    assert expected["textile"] >= 2
    assert list(shown) == figures["thresholds"]["sectors"]
    assert {
        block: figures[block] is not None for block in ("inclusion", "efficiency", "governance")
    } == {
        "inclusion": True,
        "efficiency": True,
        "governance": True,
    }

    # A coordinator's views are about its region; another region is refused.
    own = await http.get(base + "/adequacy", headers=coordinator, params={"year": YEAR})
    assert own.status_code == 200
    assert own.json()["region"] == "01"
    elsewhere = await http.get(base + "/dashboard", headers=coordinator, params={"region": "02"})
    assert elsewhere.status_code == 403
    assert "01" in elsewhere.json()["detail"]
    assert (await http.get(base + "/dashboard", headers=counsellor)).status_code == 403
    assert (await http.get(base + "/dashboard")).status_code == 401

    # The dashboard counts the published providers the public list shows.
    board = await http.get(base + "/dashboard", headers=viewer, params={"region": "01"})
    assert board.status_code == 200, board.text
    providers = await http.get(base + "/providers", params={"region": "01", "limit": 200})
    assert board.json()["training"]["providers"] == len(providers.json()["items"])
    assert board.json()["completed"] is True

    # Poll cheaply: the ETag answers 304 until the figures change.
    tag = board.headers["etag"]
    again = await http.get(
        base + "/dashboard", headers={**viewer, "If-None-Match": tag}, params={"region": "01"}
    )
    assert again.status_code == 304
    assert again.content == b""
    await published_training(http, base, admin)
    changed = await http.get(
        base + "/dashboard", headers={**viewer, "If-None-Match": tag}, params={"region": "01"}
    )
    assert changed.status_code == 200
    assert changed.json()["training"]["providers"] == board.json()["training"]["providers"] + 1

    profile = await http.get(base + "/regions/01/profile", headers=coordinator)
    assert profile.status_code == 200, profile.text
    assert profile.json()["region"]["name_fr"] == "Tanger-Tétouan-Al Hoceïma"
    assert profile.json()["training"]["providers"] == changed.json()["training"]["providers"]
    assert (await http.get(base + "/regions/99/profile", headers=viewer)).status_code == 404
    assert (await http.get(base + "/regions/02/profile", headers=coordinator)).status_code == 404

    # CSV: one table per block, the figures of the JSON.
    sheet = await http.get(
        base + "/adequacy", headers=viewer, params={"region": "01", "year": YEAR, "format": "csv"}
    )
    assert sheet.status_code == 200
    assert sheet.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(sheet.text)))
    blocks = [row[0][2:] for row in rows if row and row[0].startswith("# ")]
    assert blocks[0] == "labour_market"
    for block in ("inclusion_by_vulnerability", "governance_events", "efficiency_by_provider_kind"):
        assert block in blocks
    assert blocks[-1] == "totals"
    header = rows.index(["# labour_market"]) + 1
    textile = next(row for row in rows[header:] if row[0] == "textile")
    assert int(textile[rows[header].index("sessions")]) == shown["textile"] + 2


async def test_the_printable_review_renders_in_french_and_arabic(
    platform: Platform, http: httpx2.AsyncClient, tmp_path: Path
) -> None:
    base = platform.base_url + "/api/v1"
    viewer = await sign_in(http, platform, "viewer@demo.kafaat.ma")
    for language, direction, title in (
        ("fr", "ltr", "Revue régionale de l'adéquation formation-emploi"),
        ("ar", "rtl", "المراجعة الجهوية لملاءمة التكوين مع التشغيل"),
    ):
        page = await http.get(
            base + "/adequacy",
            headers=viewer,
            params={"region": "01", "year": YEAR, "format": "html", "lang": language},
        )
        assert page.status_code == 200, page.text
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["content-language"] == language
        assert "<script" not in page.text.lower()
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page.text)
        saved = tmp_path / f"adequacy-{language}.html"
        saved.write_text(page.text, encoding="utf-8")
        dom, console = rendered(saved.as_uri(), tmp_path / f"profile-{language}")
        assert f'dir="{direction}"' in dom
        assert title in dom
        # Every block's table is there as Chromium built it, with rows.
        for block in ("labour_market", "inclusion_by_sex", "efficiency_by_sector", "totals"):
            table = re.search(rf'<table data-block="{block}">(.*?)</table>', dom, re.S)
            assert table is not None, block
            assert table.group(1).count("<tr>") >= 2
        assert "ERR_" not in console
