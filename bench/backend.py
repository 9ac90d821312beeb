"""The minimal backend the gateway benchmark proxies to (as in ARCHITECTURE's measured facts)."""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()
PAYLOAD: dict[str, object] = {
    "items": [{"id": n, "title": f"Offre {n}", "region": "01"} for n in range(5)]
}


@app.get("/v1/offers")
async def offers() -> dict[str, object]:
    return PAYLOAD
