"""Agreements: two parties or more, an end after the start, a signed date once signed,
quantified commitments and the progress reported against them."""

from __future__ import annotations

from typing import Any

from ..activity_world import Caller, Records, coordinator, partner_member, problem_fields


def agreement_body(*party_ids: object, **fields: Any) -> dict[str, Any]:
    return {
        "title": "Convention stages textile",
        "kind": "internships_apprenticeships",
        "region": "01",
        "party_ids": [str(party) for party in party_ids],
        "start_date": "2026-09-01",
        "end_date": "2027-08-31",
        "status": "signed",
        "signed_date": "2026-08-20",
        "commitments": [
            {
                "description": "Stages en confection",
                "quantity": 30,
                "unit": "internships",
                "sector": "textile",
            }
        ],
        **fields,
    }


async def test_progress_is_reported_against_each_commitment(
    caller: Caller, records: Records
) -> None:
    company, school = await records.partner("Textiles"), await records.partner("ISTA")
    agreement = await caller.created("/v1/agreements", agreement_body(company.id, school.id))
    assert sorted(agreement["party_ids"]) == sorted([str(company.id), str(school.id)])
    commitment = agreement["commitments"][0]
    assert (commitment["achieved"], commitment["progress_percent"]) == (0, 0.0)
    progress = f"/v1/agreements/{agreement['id']}/commitments/{commitment['id']}/progress"
    first = await caller.request(
        "POST", progress, json={"reported_on": "2026-10-31", "achieved": 6}
    )
    assert first.status_code == 200, first.text
    second = await caller.request(
        "POST",
        progress,
        json={"reported_on": "2026-11-30", "achieved": 12, "note": "Deux ateliers"},
    )
    assert (second.json()["achieved"], second.json()["progress_percent"]) == (12, 40.0)
    corrected = await caller.request(
        "POST", progress, json={"reported_on": "2026-11-30", "achieved": 11}
    )
    body = corrected.json()
    assert [report["achieved"] for report in body["reports"]] == [6, 11]
    assert body["last_reported_on"] == "2026-11-30"
    early = await caller.request(
        "POST", progress, json={"reported_on": "2026-08-01", "achieved": 1}
    )
    assert problem_fields(early) == ["body.reported_on"]
    future = await caller.request(
        "POST", progress, json={"reported_on": "2099-01-01", "achieved": 1}
    )
    assert problem_fields(future) == ["body.reported_on"]
    read = (await caller.request("GET", f"/v1/agreements/{agreement['id']}")).json()
    assert read["commitments"][0]["progress_percent"] == 36.7


async def test_invalid_agreements_are_422_naming_the_field(
    caller: Caller, records: Records
) -> None:
    company, school, outsider = (
        await records.partner("A"),
        await records.partner("B"),
        await records.partner("C"),
    )
    other_network = await records.network("02")
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"end_date": "2026-08-31"}, ["body.end_date"]),
        ({"party_ids": [str(company.id)]}, ["body.party_ids"]),
        ({"party_ids": [str(company.id), str(company.id)]}, ["body.party_ids"]),
        (
            {"party_ids": [str(company.id), "00000000-0000-4000-8000-000000000000"]},
            ["body.party_ids"],
        ),
        ({"signed_date": None}, ["body.signed_date"]),
        ({"status": "draft"}, ["body.signed_date"]),
        ({"kind": "loan"}, ["body.kind"]),
        ({"network_id": str(other_network.id)}, ["body.network_id"]),
        (
            {
                "commitments": [
                    {
                        "description": "x",
                        "quantity": 3,
                        "unit": "hires",
                        "partner_id": str(outsider.id),
                    }
                ]
            },
            ["body.commitments.0.partner_id"],
        ),
        (
            {"commitments": [{"description": "x", "quantity": 0, "unit": "hires"}]},
            ["body.commitments.0.quantity"],
        ),
    ]
    for change, fields in cases:
        response = await caller.request(
            "POST", "/v1/agreements", json=agreement_body(company.id, school.id) | change
        )
        assert problem_fields(response) == fields, (change, response.text)


async def test_scope_versions_and_parties(caller: Caller, records: Records) -> None:
    company, school, third = (
        await records.partner("A"),
        await records.partner("B"),
        await records.partner("C"),
    )
    agreement = await caller.created(
        "/v1/agreements",
        agreement_body(company.id, school.id, status="draft", signed_date=None),
        coordinator("01"),
    )
    path = f"/v1/agreements/{agreement['id']}"
    assert (await caller.request("GET", path, partner_member(company.id))).status_code == 200
    assert (await caller.request("GET", path, partner_member(third.id))).status_code == 404
    assert (await caller.request("GET", path, coordinator("02"))).status_code == 404
    assert (
        await caller.request("PATCH", path, coordinator("02"), json={"title": "X"})
    ).status_code == 404
    refused = await caller.request(
        "POST", "/v1/agreements", coordinator("02"), json=agreement_body(company.id, school.id)
    )
    assert problem_fields(refused) == ["body.region"]
    draft_progress = await caller.request(
        "POST",
        f"{path}/commitments/{agreement['commitments'][0]['id']}/progress",
        json={"reported_on": "2026-10-01", "achieved": 1},
    )
    assert problem_fields(draft_progress) == ["body.reported_on"]
    widened = await caller.request(
        "PATCH",
        path,
        json={"party_ids": [str(company.id), str(school.id), str(third.id)]},
        headers={"If-Match": '"1"'},
    )
    assert widened.status_code == 200
    assert widened.json()["version"] == 2
    assert len(widened.json()["party_ids"]) == 3
    stale = await caller.request(
        "PATCH", path, json={"title": "Nouveau"}, headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    signed = await caller.request("PATCH", path, json={"status": "signed"})
    assert problem_fields(signed) == ["body.signed_date"]
    backwards = await caller.request("PATCH", path, json={"end_date": "2026-01-01"})
    assert problem_fields(backwards) == ["body.end_date"]
    added = await caller.created(
        f"{path}/commitments",
        {"description": "Embauches", "quantity": 5, "unit": "hires", "partner_id": str(company.id)},
    )
    dropping = await caller.request(
        "PATCH", path, json={"party_ids": [str(school.id), str(third.id)]}
    )
    assert problem_fields(dropping) == ["body.party_ids"]
    grown = await caller.request(
        "PATCH",
        f"{path}/commitments/{added['id']}",
        json={"quantity": 8},
        headers={"If-Match": '"1"'},
    )
    assert grown.status_code == 200
    assert grown.json()["quantity"] == 8
    one = f"{path}/commitments/{added['id']}"
    assert (await caller.request("GET", one, partner_member(company.id))).json()["quantity"] == 8
    assert (await caller.request("GET", one, coordinator("02"))).status_code == 404
    listed = await caller.request("GET", "/v1/agreements", params={"partner_id": str(third.id)})
    assert [item["id"] for item in listed.json()["items"]] == [agreement["id"]]
    active = await caller.request("GET", "/v1/agreements", params={"active_on": "2028-01-01"})
    assert active.json()["items"] == []
