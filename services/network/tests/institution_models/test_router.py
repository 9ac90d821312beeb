"""Institutionalisation models: public reference data; admins add and change them."""

from __future__ import annotations

from typing import Any

from network.institution_models.programme import CHARTER_MODEL_ID, PUBLIC_MANDATE_MODEL_ID
from shared.principal import ANONYMOUS

from ..helpers import COORDINATOR_01, Api, problem_fields

GOVERNANCE: dict[str, Any] = {
    "chair": {"who": "le président de la chambre", "term_months": 24},
    "meeting_frequency": "bimonthly",
    "quorum": {"share_of_members": 0.5},
    "decision_rule": {"kind": "simple_majority"},
    "decision_record": "procès-verbal signé",
    "reporting": {"to": "la chambre", "frequency": "yearly"},
}
MODEL = {
    "name": "Commission consultative de chambre",
    "description": "Une commission rattachée à une chambre professionnelle.",
    "governance": GOVERNANCE,
}


async def test_the_two_programme_models_are_listed_for_everyone(api: Api) -> None:
    listed = await api.request("GET", "/v1/institution-models", ANONYMOUS)
    assert listed.status_code == 200
    assert [m["id"] for m in listed.json()["items"]] == [
        str(PUBLIC_MANDATE_MODEL_ID),
        str(CHARTER_MODEL_ID),
    ]
    governance = listed.json()["items"][1]["governance"]
    assert governance["chair"] == {
        "who": "a member elected by the plenary, from another kind of partner each term",
        "term_months": 12,
        "rotating": True,
    }
    assert governance["decision_rule"]["kind"] == "consensus"


async def test_admins_add_models_that_networks_may_then_use(api: Api) -> None:
    refused = await api.request("POST", "/v1/institution-models", COORDINATOR_01, json=MODEL)
    assert refused.status_code == 403
    created = await api.created("/v1/institution-models", MODEL)
    assert created["governance"]["chair"]["rotating"] is False
    twice = await api.request("POST", "/v1/institution-models", json=MODEL)
    assert twice.status_code == 409
    network = await api.network(model_id=created["id"])
    assert network["model_id"] == created["id"]
    path = f"/v1/institution-models/{created['id']}"
    bad = await api.request(
        "PATCH", path, json={"governance": GOVERNANCE | {"quorum": {"share_of_members": 1.5}}}
    )
    assert problem_fields(bad) == ["body.governance.quorum.share_of_members"]
    stale = await api.request("PATCH", path, json={"name": "Autre"}, headers={"If-Match": '"9"'})
    assert stale.status_code == 412
