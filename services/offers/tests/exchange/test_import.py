"""Bulk import: validation per row, upsert by (source, external_id), modes, dry run."""

from __future__ import annotations

from typing import Any

from ..helpers import Api

CSV_HEADER = (
    "record,source,external_id,name,kind,region,province,phone,status,provider_external_id,"
    "title_fr,title_ar,description,sector,mode,duration_hours,cost_mad,target_publics,"
    "offer_external_id,start_date,end_date,seats_total"
)


def csv_file(*rows: str) -> bytes:
    return ("\n".join([CSV_HEADER, *rows]) + "\n").encode()


GOOD_CSV_ROWS = (
    "provider,,P1,Centre de Formation Al Hoceïma,public_institute,01,01.051,+212 539 11 22 33,"
    "published,,,,,,,,,,,,,",
    'offer,,O1,,,,,,published,P1,"Électricité, bâtiment",الكهرباء,"Une description, avec une '
    'virgule",construction,in_person,300,0,women|rural,,,,',
    "session,,S1,,,01,01.051,,,,,,,,,,,,O1,2027-03-01,2027-06-30,15",
)


async def post_import(api: Api, body: bytes, **params: Any) -> Any:
    return await api.request(
        "POST",
        "/v1/offers/import",
        content=body,
        headers={"Content-Type": "text/csv"},
        params={"source": "region-01", **params},
    )


async def test_csv_import_creates_then_reimport_changes_nothing(api: Api) -> None:
    first = await post_import(api, csv_file(*GOOD_CSV_ROWS))
    assert first.status_code == 200, first.text
    report = first.json()
    assert report["committed"] is True
    assert report["rows"] == 3
    assert report["providers"]["created"] == 1
    assert report["offers"]["created"] == 1
    assert report["sessions"]["created"] == 1
    offers = (await api.request("GET", "/v1/offers", params={"q": "electricite"})).json()
    assert [o["title_fr"] for o in offers["items"]] == ["Électricité, bâtiment"]
    offer = offers["items"][0]
    assert offer["target_publics"] == ["women", "rural"]
    assert offer["next_session_start_date"] == "2027-03-01"

    again = await post_import(api, csv_file(*GOOD_CSV_ROWS))
    assert again.status_code == 200, again.text
    counts = {k: again.json()[k] for k in ("providers", "offers", "sessions")}
    assert all(
        c == {"created": 0, "updated": 0, "unchanged": 1, "rejected": 0} for c in counts.values()
    )
    after = (await api.request("GET", f"/v1/offers/{offer['id']}")).json()
    assert after["version"] == offer["version"]
    assert after["updated_at"] == offer["updated_at"]
