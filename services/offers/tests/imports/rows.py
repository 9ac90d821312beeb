"""Rows of big import files: one provider and numbered offers of it, as JSON Lines objects."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

PROVIDER_ROW: dict[str, Any] = {
    "record": "provider",
    "external_id": "P",
    "name": "Centre",
    "kind": "company",
    "region": "01",
}


def offer_row(n: int, **fields: Any) -> dict[str, Any]:
    return {
        "record": "offer",
        "external_id": f"O{n}",
        "provider_external_id": "P",
        "title_fr": f"Offre {n}",
        "description": "Une offre de formation avec stage en entreprise.",
        "sector": "commerce",
        "mode": "remote",
        "duration_hours": 10,
        "cost_mad": 0,
        **fields,
    }


def json_lines(rows: Iterable[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(row) + "\n" for row in rows).encode()
