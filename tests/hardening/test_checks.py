"""The hardening suite's own judges: what they take for a leak, and who the document lets in.
Without these, a check that never fires would pass every attack."""

from __future__ import annotations

import json
import time

from kafaat.hardening import Api, Operation, all_operations, leaks, operation_id_of
from kafaat.platform import ROOT

TRACE = 'Traceback (most recent call last):\n  File "/app/x.py", line 3, in f\nKeyError: 1'


def test_a_clean_problem_is_no_leak() -> None:
    body = json.dumps({"type": "about:blank", "title": "Not Found", "status": 404})
    assert leaks("offers-get", 404, {}, body) == []


def test_stack_traces_and_internal_paths_are_leaks() -> None:
    assert leaks(None, 500, {}, TRACE)
    assert leaks("offers-get", 422, {}, f'{{"detail": "{ROOT}/services/offers/x.py"}}')
    assert leaks("offers-get", 500, {}, "sqlalchemy.exc.IntegrityError: duplicate key")


def test_secrets_are_leaks_except_where_they_are_handed_out() -> None:
    created = json.dumps({"client_id": "c", "client_secret": "kcs_abc"})
    assert leaks("api-clients-create", 201, {}, created) == []
    assert leaks("api-clients-get", 200, {}, created)
    assert leaks("api-clients-list", 200, {}, json.dumps({"items": [{"secret": "kcs_abc"}]}))
    assert leaks("users-get", 200, {}, json.dumps({"password_hash": "x"}))
    assert leaks("users-get", 200, {}, json.dumps({"note": "$argon2id$v=19$m=19456"}))
    assert leaks("auth-me", 200, {}, json.dumps({"refresh_token": "r"}))
    assert leaks("auth-login", 200, {}, json.dumps({"refresh_token": "r"})) == []
    assert leaks("offers-list", 200, {"x-kafaat-service-token": "t"}, "{}")


def test_who_the_document_lets_in() -> None:
    by_id = {operation.operation_id: operation for operation in all_operations()}
    create: Operation = by_id["offers-create"]
    assert create.allows_role("provider_staff")
    assert not create.allows_role("counsellor")
    assert create.allows_client(frozenset({"offers:write"}))
    assert not create.allows_client(frozenset({"offers:read"}))
    assert not create.is_public
    assert not create.admin_only
    assert by_id["offers-list"].is_public
    assert by_id["api-clients-create"].admin_only
    assert by_id["auth-me"].allows_role("viewer")
    assert not by_id["auth-me"].admin_only


def test_requests_are_named_by_the_operation_they_call() -> None:
    assert operation_id_of("GET", "/api/v1/offers/export") == "exchange-export"
    assert operation_id_of("GET", "/api/v1/offers/8c0f") == "offers-get"
    assert operation_id_of("DELETE", "/api/v1/sessions/a/reservations/b") == "sessions-release"
    assert operation_id_of("GET", "/internal/forward-auth") is None


def test_credentials_outlive_their_access_token(api: Api) -> None:
    """A session-wide caller is signed in again before its token expires: the suite runs
    longer than a token lives on a busy machine."""
    headers = api.sign_in("viewer@demo.kafaat.ma")
    first = headers["Authorization"]
    api._signed[first].renew_at = time.monotonic()  # as if the token were near its expiry
    response = api.get("/api/v1/auth/me", headers={**headers, "Accept": "application/json"})
    assert response.status_code == 200, response.text
    assert headers["Authorization"] not in ("", first)
    # The first token still works until it expires; the renewed one is what is sent now.
    assert api.get("/api/v1/auth/me", headers=headers).json()["email"] == "viewer@demo.kafaat.ma"
