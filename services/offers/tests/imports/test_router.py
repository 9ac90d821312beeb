"""Imports as jobs: 202 and the import resource, its progress and report, Prefer, scope."""

from __future__ import annotations

import json
from typing import Any

import httpx2

from shared.principal import Role
from shared.testing import Keys, OpenApp, make_principal

from ..exchange.test_import import BAD_OFFER, OFFER, OTHER_OFFER, PROVIDER, SESSION, csv_file
from ..helpers import Api

COORDINATOR_01 = make_principal(role=Role.REGIONAL_COORDINATOR, regions=("01",))
COORDINATOR_02 = make_principal(role=Role.REGIONAL_COORDINATOR, regions=("02",))


async def post(
    api: Api,
    body: Any,
    *,
    prefer: str | None = "respond-async",
    principal: Any = None,
    **params: Any,
) -> httpx2.Response:
    headers = {"Content-Type": "text/csv"}
    if prefer:
        headers["Prefer"] = prefer
    return await api.request(
        "POST",
        "/v1/offers/import",
        principal,
        content=body,
        headers=headers,
        params={"source": "region-01", **params},
    )


async def finished(api: Api, location: str, principal: Any = None) -> dict[str, Any]:
    response = await api.request(
        "GET", location.removeprefix("/api"), principal, headers={"Prefer": "wait=10"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["preference-applied"] == "wait=10"
    body: dict[str, Any] = response.json()
    assert body["state"] in {"succeeded", "failed"}, body
    return body


async def test_respond_async_answers_202_and_the_resource_ends_with_the_report(
    api: Api,
) -> None:
    response = await post(api, csv_file(PROVIDER, OFFER, SESSION))
    assert response.status_code == 202, response.text
    assert response.headers["preference-applied"] == "respond-async"
    location = response.headers["location"]
    job = response.json()
    assert location == f"/api/v1/imports/{job['id']}"
    assert job["state"] in {"queued", "running"}
    assert (job["mode"], job["format"], job["dry_run"]) == ("all_or_nothing", "csv", False)

    done = await finished(api, location)
    assert done["state"] == "succeeded"
    assert (done["rows_read"], done["rows_applied"], done["error_count"]) == (3, 3, 0)
    assert done["attempts"] == 1
    assert done["started_at"] is not None
    assert done["finished_at"] is not None
    assert done["error"] is None
    # The report is the one the synchronous import answers for the same file.
    report = done["report"]
    assert report["committed"] is True
    assert [report[k]["created"] for k in ("providers", "offers", "sessions")] == [1, 1, 1]
    synchronous = await post(api, csv_file(PROVIDER, OFFER, SESSION), prefer=None)
    assert synchronous.status_code == 200
    unchanged = {"created": 0, "updated": 0, "unchanged": 1, "rejected": 0}
    assert [synchronous.json()[k] for k in ("providers", "offers", "sessions")] == [unchanged] * 3
    offers = (await api.request("GET", "/v1/offers", params={"q": "electricite"})).json()
    assert offers["items"][0]["next_session_start_date"] == "2027-03-01"


async def test_an_all_or_nothing_job_with_a_bad_row_fails_and_writes_nothing(api: Api) -> None:
    response = await post(api, csv_file(PROVIDER, OFFER, SESSION, BAD_OFFER))
    done = await finished(api, response.headers["location"])
    assert done["state"] == "failed"
    assert done["error"] == "1 error(s) in the file: nothing was imported."
    assert (done["rows_read"], done["rows_applied"], done["error_count"]) == (4, 0, 1)
    report = done["report"]
    assert report["committed"] is False
    assert (report["errors"][0]["line"], report["errors"][0]["field"]) == (5, "duration_hours")
    listed = (await api.request("GET", "/v1/providers")).json()["items"]
    assert listed == []


async def test_a_keep_valid_job_writes_the_good_rows(api: Api) -> None:
    body = csv_file(PROVIDER, OFFER, BAD_OFFER, OTHER_OFFER, SESSION)
    response = await post(api, body, mode="keep_valid")
    done = await finished(api, response.headers["location"])
    assert done["state"] == "succeeded"
    assert (done["rows_read"], done["rows_applied"], done["error_count"]) == (5, 4, 1)
    assert done["report"]["offers"] == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 1}
    assert len((await api.request("GET", "/v1/offers")).json()["items"]) == 2


async def test_a_file_above_the_threshold_is_a_job_below_it_answers_at_once(
    open_app: OpenApp, api: Api
) -> None:
    small = csv_file(PROVIDER)
    large = csv_file(PROVIDER, OFFER, SESSION, OTHER_OFFER)
    async with open_app(import_async_threshold_bytes=len(small) + 10) as (_, client):
        api = Api(client, api.keys)
        now = await post(api, small, prefer=None)
        assert now.status_code == 200
        assert now.json()["providers"]["created"] == 1
        # Declared by Content-Length, or found while reading a streamed (chunked) body.
        declared = await post(api, large, prefer=None)
        assert declared.status_code == 202, declared.text
        assert "preference-applied" not in declared.headers

        async def streamed_body() -> Any:
            for line in large.splitlines(keepends=True):
                yield line

        streamed = await post(api, streamed_body(), prefer=None, mode="keep_valid")
        assert streamed.status_code == 202
        for response in (declared, streamed):
            done = await finished(api, response.headers["location"])
            assert done["state"] == "succeeded", done
            assert done["rows_read"] == 4
        assert len((await api.request("GET", "/v1/offers")).json()["items"]) == 2


async def test_wait_on_the_post_answers_the_finished_import(api: Api) -> None:
    response = await post(api, csv_file(PROVIDER, OFFER), prefer="respond-async, wait=10")
    assert response.status_code == 200, response.text
    assert response.headers["preference-applied"] == "respond-async, wait=10"
    assert response.headers["location"].startswith("/api/v1/imports/")
    assert response.json()["state"] == "succeeded"


async def test_wait_is_bounded_and_a_job_without_worker_stays_queued(
    open_app: OpenApp, keys: Keys
) -> None:
    # The only application on the database (no `api` fixture: its worker would run the job).
    async with open_app(import_workers=0, import_wait_max_seconds=1) as (_, client):
        api = Api(client, keys)
        response = await post(api, csv_file(PROVIDER), prefer="respond-async; x=1, wait=30")
        assert response.status_code == 202
        assert response.headers["preference-applied"] == "respond-async, wait=1"
        polled = await api.request(
            "GET", response.headers["location"].removeprefix("/api"), headers={"Prefer": "wait=5"}
        )
        assert polled.headers["preference-applied"] == "wait=1"
        assert polled.json()["state"] == "queued"
        assert polled.json()["rows_read"] == 0
        assert polled.json()["report"] is None


async def test_only_the_starter_admins_and_coordinators_of_its_regions_read_it(
    api: Api,
) -> None:
    starter = make_principal(role=Role.REGIONAL_COORDINATOR, regions=("01", "05"))
    response = await post(api, csv_file(PROVIDER, OFFER), principal=starter)
    location = response.headers["location"]
    assert (await finished(api, location, starter))["state"] == "succeeded"
    path = location.removeprefix("/api")
    for reader in (starter, api.admin, COORDINATOR_01):
        assert (await api.request("GET", path, reader)).status_code == 200
    staff = make_principal(
        role=Role.PROVIDER_STAFF, provider_id="00000000-0000-4000-8000-000000000001"
    )
    client = make_principal(kind="client", scopes=("offers:write",), regions=("01",))
    for outsider in (COORDINATOR_02, staff, client):
        refused = await api.request("GET", path, outsider)
        assert refused.status_code == 404, outsider
        assert refused.headers["content-type"] == "application/problem+json"
    missing = await api.request("GET", "/v1/imports/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404


async def test_a_job_keeps_the_scope_of_its_caller(api: Api) -> None:
    response = await post(
        api, csv_file(PROVIDER, OFFER), principal=COORDINATOR_02, mode="keep_valid"
    )
    done = await finished(api, response.headers["location"], COORDINATOR_02)
    first = done["report"]["errors"][0]
    assert (first["line"], first["field"], first["reason"]) == (
        2,
        "region",
        "you may not add providers in this region",
    )
    assert done["rows_applied"] == 0
    # Rejected rows do not make the job readable by their region's coordinators.
    assert (
        await api.request("GET", response.headers["location"][4:], COORDINATOR_01)
    ).status_code == 404


async def test_the_import_resource_is_documented(api: Api) -> None:
    document = (await api.request("GET", "/openapi.json")).json()
    post_import = document["paths"]["/v1/offers/import"]["post"]
    assert "202" in post_import["responses"]
    assert "Prefer" in json.dumps(post_import["parameters"])
    read = document["paths"]["/v1/imports/{import_id}"]["get"]
    assert read["operationId"] == "imports-read"
    assert set(read["responses"]) >= {"200", "404"}
