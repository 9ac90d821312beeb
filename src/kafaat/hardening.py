"""What the hardening tests (``tests/hardening``) derive from the merged OpenAPI document.

Every operation of the document, who its security requirements let in, and what no answer of the
platform may ever carry (stack traces, internal paths, secrets). The tests are generated from
these, so a route is covered the day it appears in the document.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from uuid import UUID

import httpx2

from gateway.demo import DEMO_PASSWORD
from gateway.identity import service as identity_service
from gateway.identity.dependencies import passwords_for
from gateway.identity.scopes import UserScope
from gateway.settings import Settings as GatewaySettings
from kafaat.contract import merged_document
from kafaat.platform import ROOT
from shared.db import create_engine, create_sessionmaker
from shared.principal import Role

METHODS = ("get", "put", "post", "patch", "delete")
ROLES: tuple[str, ...] = tuple(str(role) for role in Role)
NON_ADMIN_ROLES: tuple[str, ...] = tuple(role for role in ROLES if role != Role.ADMIN)
# Every kind of caller: nobody, each role, a client system (client credentials).
CALLERS: tuple[str, ...] = ("anonymous", *ROLES, "api_client")
TIMEOUT = 15.0

# The platform under attack: rate limits raised so that 429 does not hide what the fuzzer sends
# (429 is tested on its own), CORS granted to one origin so that a refusal can be told from a
# feature that is off, a small body limit so that 413 is cheap to reach.
ALLOWED_ORIGIN = "https://app.kafaat.test"
MAX_BODY_BYTES = 64 * 1024
# Bulk files (gateway.routing.UPLOADS) have a larger limit of their own.
MAX_UPLOAD_BYTES = MAX_BODY_BYTES * 4
EDGE_SECRET = "edge-secret-of-the-hardening-tests"
HARDENED_SETTINGS = {
    "KAFAAT_GATEWAY_RATE_LIMIT_PER_IP": "1000000/minute",
    "KAFAAT_GATEWAY_RATE_LIMIT_PER_PRINCIPAL": "1000000/minute",
    "KAFAAT_GATEWAY_RATE_LIMIT_AUTH_PER_IP": "1000000/minute",
    # The fuzzer changes passwords with wrong current ones: it must not lock the demo accounts.
    "KAFAAT_GATEWAY_LOGIN_MAX_FAILURES": "100",
    "KAFAAT_GATEWAY_CORS_ORIGINS": ALLOWED_ORIGIN,
    "KAFAAT_GATEWAY_MAX_BODY_BYTES": str(MAX_BODY_BYTES),
    "KAFAAT_GATEWAY_MAX_UPLOAD_BYTES": str(MAX_UPLOAD_BYTES),
    # Forward-auth exists, so that reaching it without the secret is a real attempt.
    "KAFAAT_GATEWAY_EDGE_SECRET": EDGE_SECRET,
}


@dataclass(frozen=True)
class Operation:
    """One operation of the merged document."""

    path: str
    method: str
    spec: Mapping[str, Any]

    @property
    def label(self) -> str:
        """``GET /api/v1/offers``, as schemathesis names it."""
        return f"{self.method.upper()} {self.path}"

    @property
    def operation_id(self) -> str:
        return str(self.spec["operationId"])

    @property
    def security(self) -> list[dict[str, list[str]]]:
        security: list[dict[str, list[str]]] = self.spec["security"]
        return security

    @property
    def is_public(self) -> bool:
        """Callable without credentials (``[]``, or an empty requirement among others)."""
        return self.security == [] or {} in self.security

    def allows_role(self, role: str) -> bool:
        """Whether a person of ``role`` passes the security requirements (``[]``: any role)."""
        if self.is_public:
            return True
        return any(
            "accessToken" in requirement
            and (not requirement["accessToken"] or role in requirement["accessToken"])
            for requirement in self.security
        )

    def allows_client(self, scopes: frozenset[str]) -> bool:
        """Whether an API client granted ``scopes`` passes the security requirements."""
        if self.is_public:
            return True
        return any(
            "apiClient" in requirement and set(requirement["apiClient"]) <= scopes
            for requirement in self.security
        )

    @property
    def admin_only(self) -> bool:
        """Only administrators: no other role, no API client, no anonymous caller."""
        return (
            not self.is_public
            and not any(self.allows_role(role) for role in NON_ADMIN_ROLES)
            and not any("apiClient" in requirement for requirement in self.security)
        )

    @property
    def parameters(self) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = self.spec.get("parameters", [])
        return parameters

    @property
    def path_parameters(self) -> tuple[str, ...]:
        return tuple(p["name"] for p in self.parameters if p["in"] == "path")

    def query_parameter(self, name: str) -> dict[str, Any] | None:
        for parameter in self.parameters:
            if parameter["in"] == "query" and parameter["name"] == name:
                return parameter
        return None

    @property
    def statuses(self) -> frozenset[int]:
        return frozenset(int(status) for status in self.spec["responses"])

    @property
    def body_media_types(self) -> tuple[str, ...]:
        body = self.spec.get("requestBody")
        return tuple(body["content"]) if body else ()

    def json_body_schema(self, document: Mapping[str, Any]) -> dict[str, Any] | None:
        """The object schema of a JSON body (``anyOf [X, null]`` unwrapped), if it takes one."""
        body = self.spec.get("requestBody")
        if not body or "application/json" not in body["content"]:
            return None
        schema = resolved(document, body["content"]["application/json"]["schema"])
        for alternative in schema.get("anyOf", []):
            alternative = resolved(document, alternative)
            if alternative.get("type") == "object":
                return alternative
        return schema


def resolved(document: Mapping[str, Any], node: Mapping[str, Any]) -> dict[str, Any]:
    """``node`` with its ``$ref`` (to ``#/components/...``) followed."""
    while "$ref" in node:
        kind, name = node["$ref"].removeprefix("#/components/").split("/")
        node = document["components"][kind][name]
    return dict(node)


def operations(document: Mapping[str, Any]) -> list[Operation]:
    return [
        Operation(path, method, spec)
        for path, item in document["paths"].items()
        for method, spec in item.items()
        if method in METHODS
    ]


@cache
def document() -> dict[str, Any]:
    """The merged document, built once per process (do not change it)."""
    return merged_document()


@cache
def all_operations() -> tuple[Operation, ...]:
    return tuple(operations(document()))


@cache
def _templates() -> tuple[tuple[str, re.Pattern[str], str], ...]:
    return tuple(
        (
            op.method.upper(),
            re.compile(re.sub(r"\{[^}]+\}", "[^/]+", op.path) + "$"),
            op.operation_id,
        )
        # Literal segments first: /offers/export is not /offers/{offer_id}.
        for op in sorted(all_operations(), key=lambda op: op.path.count("{"))
    )


def operation_id_of(method: str, path: str) -> str | None:
    """The id of the documented operation that ``method path`` calls, if any."""
    for template_method, template, operation_id in _templates():
        if template_method == method.upper() and template.match(path):
            return operation_id
    return None


# --- what no answer may carry -----------------------------------------------------------------

# API8: what a stack trace or an exception's text looks like, and where the code lives.
TRACE_MARKERS = (
    "Traceback (most recent call last)",
    '.py", line ',
    "site-packages",
    "sqlalchemy.exc",
    "asyncpg.exceptions",
    "aiosqlite",
    "pydantic_core",
    "starlette.",
    str(ROOT),
)
# API3: what secrets look like wherever they appear.
SECRET_MARKERS = (
    "$argon2",
    "PRIVATE KEY-----",
    "kcs_",  # API client secrets
)
# Object keys that never belong in an answer, except in the operations that hand them out once.
SECRET_KEYS: dict[str, frozenset[str]] = {
    "password": frozenset(),
    "password_hash": frozenset(),
    "hashed_password": frozenset(),
    "secret_hash": frozenset(),
    "token_hash": frozenset(),
    "private_key": frozenset(),
    "client_secret": frozenset({"api-clients-create", "api-clients-rotate-secret"}),
    "refresh_token": frozenset({"auth-login", "auth-refresh", "auth-change-password"}),
}
# Headers of the platform's insides: service tokens, the edge's secret.
INTERNAL_HEADERS = ("x-kafaat-service-token", "x-kafaat-edge-secret", "x-kafaat-service")
_SECRET_IN_RESPONSE = {
    # Where a secret is the point of the answer, its own value is not a leak.
    "api-clients-create": re.compile(r'"client_secret":\s*"kcs_[^"]*"'),
    "api-clients-rotate-secret": re.compile(r'"client_secret":\s*"kcs_[^"]*"'),
}


def _keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


def leaks(
    operation_id: str | None, status: int, headers: Mapping[str, str], text: str
) -> list[str]:
    """What an answer of ``operation_id`` (``None``: a path outside the document) gives away
    that it must not: an empty list for a clean answer."""
    found = [f"trace marker {marker!r}" for marker in TRACE_MARKERS if marker in text]
    shown = text
    if operation_id in _SECRET_IN_RESPONSE and status < 300:
        shown = _SECRET_IN_RESPONSE[operation_id].sub('"client_secret": ""', text)
    found += [f"secret marker {marker!r}" for marker in SECRET_MARKERS if marker in shown]
    found += [f"internal header {name!r}" for name in INTERNAL_HEADERS if name in headers]
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = None
    for key in set(_keys(body)):
        allowed = SECRET_KEYS.get(key.lower())
        if allowed is not None and (operation_id not in allowed or status >= 300):
            found.append(f"secret field {key!r}")
    return found


# --- a client of the public entry, and the records it attacks ---------------------------------


class LeakError(AssertionError):
    pass


def assert_no_leak(response: httpx2.Response, operation_id: str | None) -> None:
    """API8 and API3 on one answer: no stack trace, internal path or secret."""
    response.read()
    found = leaks(operation_id, response.status_code, response.headers, response.text)
    if found:
        request = response.request
        raise LeakError(f"{request.method} {request.url} answered {response.status_code}: {found}")


class Api:
    """A client of the public entry that checks every answer it gets for leaks."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.client = httpx2.Client(base_url=base_url, timeout=TIMEOUT, trust_env=False)

    def close(self) -> None:
        self.client.close()

    def request(
        self, method: str, url: str, *, operation_id: str | None = None, **kwargs: Any
    ) -> httpx2.Response:
        response = self.client.request(method, url, **kwargs)
        if operation_id is None:
            operation_id = operation_id_of(method, response.request.url.path)
        assert_no_leak(response, operation_id)
        return response

    def get(self, url: str, **kwargs: Any) -> httpx2.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx2.Response:
        return self.request("POST", url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> httpx2.Response:
        return self.request("PATCH", url, **kwargs)

    def sign_in(self, email: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
        response = self.post(
            "/api/v1/auth/login",
            json={"email": email, "password": password},
            operation_id="auth-login",
        )
        assert response.status_code == 200, response.text
        return {"Authorization": "Bearer " + response.json()["access_token"]}

    def client_token(self, client_id: str, secret: str) -> dict[str, str]:
        response = self.post(
            "/api/v1/auth/token",
            data={"grant_type": "client_credentials"},
            auth=(client_id, secret),
            operation_id="auth-token",
        )
        assert response.status_code == 200, response.text
        return {"Authorization": "Bearer " + response.json()["access_token"]}


# --- records, as their owners create them -----------------------------------------------------


def created(response: httpx2.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def offer_body(provider_id: str) -> dict[str, Any]:
    return {
        "provider_id": provider_id,
        "title_fr": "Soudure à l'arc",
        "description": "Souder des pièces métalliques en atelier.",
        "sector": "construction",
        "mode": "in_person",
        "duration_hours": 300,
        "cost_mad": 0,
    }


@dataclass
class World:
    """Organisations of region 01 with their people, and the outsiders of each kind: another
    association, another provider, another partner, another region, another client system."""

    api: Api
    admin: dict[str, str]
    coordinator: dict[str, str]
    provider_id: str
    association_id: str
    staff: dict[str, str]
    manager: dict[str, str]
    counsellor: dict[str, str]
    gateway_database_url: str
    outsiders: dict[str, dict[str, str]] = field(default_factory=dict)

    def provider(self, region: str = "01", *, publish: bool = True) -> str:
        body = {
            "name": f"Centre {uuid.uuid4().hex[:8]}",
            "kind": "private_school",
            "region": region,
        }
        provider = created(self.api.post("/api/v1/providers", headers=self.admin, json=body))
        if publish:
            url = f"/api/v1/providers/{provider['id']}/publish"
            assert self.api.post(url, headers=self.admin).status_code == 200
        return str(provider["id"])

    def offer(self, *, publish: bool) -> str:
        # Written by the provider's own staff, published by the region's coordinator.
        response = self.api.post(
            "/api/v1/offers", headers=self.staff, json=offer_body(self.provider_id)
        )
        offer_id = str(created(response)["id"])
        if publish:
            url = f"/api/v1/offers/{offer_id}/publish"
            assert self.api.post(url, headers=self.coordinator).status_code == 200
        return offer_id

    def session(self, *, publish: bool) -> str:
        body = {
            "offer_id": self.offer(publish=publish),
            "start_date": "2027-02-01",
            "end_date": "2027-06-30",
            "region": "01",
            "seats_total": 20,
            "status": "open" if publish else "planned",
        }
        return str(created(self.api.post("/api/v1/sessions", headers=self.staff, json=body))["id"])

    def reservation(self) -> tuple[str, str]:
        session_id = self.session(publish=True)
        response = self.api.post(
            f"/api/v1/sessions/{session_id}/reservations",
            headers={**self.counsellor, "Idempotency-Key": uuid.uuid4().hex},
            json={"seats": 1},
        )
        return session_id, str(created(response)["id"])

    def user(self) -> str:
        # A counsellor of the association (associations exist in no service yet, so the
        # gateway would refuse to bind one through the API: the account is seeded).
        scope = UserScope(Role.COUNSELLOR, ("01",), association_id=UUID(self.association_id))
        return seed_account(self.gateway_database_url, scope)[1]

    def api_client(self) -> str:
        body = {"name": "SI régional", "scopes": ["offers:read"], "regions": ["01"]}
        response = self.api.post("/api/v1/api-clients", headers=self.admin, json=body)
        return str(created(response)["id"])

    def body(self, operation_id: str) -> dict[str, Any]:
        """A body the operation accepts (when its caller may call it), for the operations
        whose document requires fields: a new one needs a recipe here."""
        unique = uuid.uuid4().hex[:8]
        bodies: dict[str, Any] = {
            "api-clients-create": lambda: {
                "name": f"SI {unique}",
                "scopes": ["offers:read"],
                "regions": ["01"],
            },
            "users-create": lambda: {
                "email": f"staff-{unique}@provider.test",
                "full_name": "Formateur Test",
                "role": "provider_staff",
                "regions": ["01"],
                "provider_id": self.provider_id,
                "password": PASSWORD,
            },
            "providers-create": lambda: {
                "name": f"Centre {unique}",
                "kind": "company",
                "region": "01",
            },
            "offers-create": lambda: offer_body(self.provider_id),
            "sessions-create": lambda: {
                "offer_id": self.offer(publish=False),
                "start_date": "2027-03-01",
                "end_date": "2027-07-31",
                "region": "01",
                "seats_total": 12,
            },
            # Only for callers who have no password: it would change a person's.
            "auth-change-password": lambda: {
                "current_password": DEMO_PASSWORD,
                "new_password": "another-long-enough-password",
            },
        }
        if operation_id not in bodies:
            raise LookupError(f"{operation_id}: give World.body a recipe for it")
        body: dict[str, Any] = bodies[operation_id]()
        return body

    RECORD_KINDS = (
        "provider_id",
        "offer_id",
        "session_id",
        "reservation_id",
        "user_id",
        "client_id",
        "import_id",
    )

    # One record per kind of id a path names (its last path parameter), with the ids of the
    # records it belongs to: a route naming a new kind of id needs a recipe here.
    def record(self, last_parameter: str) -> dict[str, str]:
        if last_parameter == "provider_id":
            # Written by the region's coordinator, not yet published.
            body = {"name": f"Centre {uuid.uuid4().hex[:8]}", "kind": "company", "region": "01"}
            response = self.api.post("/api/v1/providers", headers=self.coordinator, json=body)
            return {"provider_id": str(created(response)["id"])}
        if last_parameter == "offer_id":
            return {"offer_id": self.offer(publish=False)}
        if last_parameter == "session_id":
            return {"session_id": self.session(publish=False)}
        if last_parameter == "reservation_id":
            session_id, reservation_id = self.reservation()
            return {"session_id": session_id, "reservation_id": reservation_id}
        if last_parameter == "user_id":
            return {"user_id": self.user()}
        if last_parameter == "client_id":
            return {"client_id": self.api_client()}
        if last_parameter == "import_id":
            return {"import_id": self.import_job()}
        raise LookupError(last_parameter)

    def import_job(self) -> str:
        # An import the region's coordinator runs as a job, of one provider of region 01.
        file = (
            "record,source,external_id,name,kind,region\n"
            f"provider,hardening,P-{uuid.uuid4().hex[:8]},Centre importé,company,01\n"
        )
        response = self.api.post(
            "/api/v1/offers/import",
            headers={
                **self.coordinator,
                "Content-Type": "text/csv",
                # Finished before it is attacked: a running job changes by itself.
                "Prefer": "respond-async, wait=10",
            },
            content=file.encode(),
        )
        assert response.status_code == 200, response.text
        job: dict[str, Any] = response.json()
        assert job["state"] == "succeeded", job
        return str(job["id"])


PASSWORD = "a-long-enough-password"


def person(api: Api, admin: dict[str, str], role: str, **scope: Any) -> dict[str, str]:
    """A person the admin signs up through the API (the organisation must exist in its
    service: the gateway asks it)."""
    email = f"{role}-{uuid.uuid4().hex[:8]}@hardening.test"
    body = {"email": email, "full_name": "Personne Test", "role": role, "password": PASSWORD}
    created(api.post("/api/v1/users", headers=admin, json={**body, **scope}))
    return api.sign_in(email, PASSWORD)


def seeded_member(
    api: Api, gateway_database_url: str, role: Role, *, regions: tuple[str, ...], **ids: UUID
) -> dict[str, str]:
    """A person of an organisation no service holds yet (associations, partners: those
    services have no records), written as the demo seed writes accounts, then signed in."""
    email, _ = seed_account(gateway_database_url, UserScope(role, regions, **ids))
    return api.sign_in(email, PASSWORD)


def seed_account(gateway_database_url: str, scope: UserScope) -> tuple[str, str]:
    """Write an account straight into the gateway's database (the way ``kafaat seed-demo``
    does); its e-mail and id."""
    email = f"{scope.role.value}-{uuid.uuid4().hex[:8]}@hardening.test"
    return email, asyncio.run(_add_account(gateway_database_url, email, scope))


async def _add_account(database_url: str, email: str, scope: UserScope) -> str:
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as db:
            passwords = passwords_for(GatewaySettings())
            stored = await identity_service.add_account(
                db, passwords, email=email, full_name="Test", password=PASSWORD, scope=scope
            )
            assert stored is not None, email
            await db.commit()
            return str(stored.id)
    finally:
        await engine.dispose()
