"""Deny by default: every gateway route is either ``@public`` or guarded by a policy."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from shared.auth import is_public
from shared.policy import routes_without_policy


def test_every_gateway_route_is_public_or_has_a_policy(app: FastAPI) -> None:
    assert routes_without_policy(app) == []


def test_only_the_sign_in_routes_of_identity_are_public(app: FastAPI) -> None:
    public = {
        context.path
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
        and (context.path or "").startswith(
            ("/api/v1/auth", "/api/v1/users", "/api/v1/api-clients")
        )
        and is_public(context.original_route.endpoint)
    }
    assert public == {
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
        "/api/v1/auth/token",
    }


def test_operation_ids_are_readable(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    ids = {operation["operationId"] for item in paths.values() for operation in item.values()}
    expected = {
        "auth-login",
        "auth-refresh",
        "auth-logout",
        "auth-token",
        "auth-me",
        "auth-change-password",
        "users-list",
        "users-create",
        "users-get",
        "users-update",
        "api-clients-list",
        "api-clients-create",
        "api-clients-get",
        "api-clients-update",
        "api-clients-rotate-secret",
    }
    assert expected <= ids
    token_body = paths["/api/v1/auth/token"]["post"]["requestBody"]["content"]
    assert "application/x-www-form-urlencoded" in token_body
