from __future__ import annotations

from fastapi import FastAPI

from shared.policy import routes_without_policy


def test_every_route_declares_a_policy(app: FastAPI) -> None:
    assert routes_without_policy(app) == []
