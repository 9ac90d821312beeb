"""Providers: validation, scope, publication, versions."""

from __future__ import annotations

from ..helpers import Api


async def test_create_read_and_list(api: Api) -> None:
    provider = await api.provider(publish=False, name="Association Al Amal", kind="association")
    assert provider["status"] == "draft"
    assert provider["source"] == "kafaat"
    assert provider["external_id"] == provider["id"]
    response = await api.request("GET", f"/v1/providers/{provider['id']}")
    assert response.status_code == 200
    assert response.headers["etag"] == '"1"'
    listed = (await api.request("GET", "/v1/providers", params={"q": "amal"})).json()
    assert [p["id"] for p in listed["items"]] == [provider["id"]]
