"""What the hardening tests (``tests/hardening``) derive from the merged OpenAPI document.

Every operation of the document, who its security requirements let in, and what no answer of the
platform may ever carry (stack traces, internal paths, secrets). The tests are generated from
these, so a route is covered the day it appears in the document.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
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


# How long before its token expires a caller is signed in again.
RENEW_BEFORE_EXPIRY = 120


class LeakError(AssertionError):
    pass


def assert_no_leak(response: httpx2.Response, operation_id: str | None) -> None:
    """API8 and API3 on one answer: no stack trace, internal path or secret."""
    response.read()
    found = leaks(operation_id, response.status_code, response.headers, response.text)
    if found:
        request = response.request
        raise LeakError(f"{request.method} {request.url} answered {response.status_code}: {found}")


@dataclass
class _Signed:
    """A caller's credentials (the headers handed out, updated in place) and how to get them
    again."""

    headers: dict[str, str]
    obtain: Callable[[], httpx2.Response]
    renew_at: float = 0.0


class Api:
    """A client of the public entry that checks every answer it gets for leaks.

    Credentials it hands out (``sign_in``, ``client_token``) stay valid however long the suite
    runs: a request bearing a token close to its expiry signs the caller in again first (a
    session-wide fixture outlives a 15-minute access token on a busy machine)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.client = httpx2.Client(base_url=base_url, timeout=TIMEOUT, trust_env=False)
        self._signed: dict[str, _Signed] = {}

    def close(self) -> None:
        self.client.close()

    def request(
        self, method: str, url: str, *, operation_id: str | None = None, **kwargs: Any
    ) -> httpx2.Response:
        headers: Mapping[str, str] = kwargs.get("headers") or {}
        signed = self._signed.get(headers.get("Authorization", ""))
        if signed is not None and time.monotonic() >= signed.renew_at:
            self._renew(signed)
            kwargs["headers"] = {**headers, "Authorization": signed.headers["Authorization"]}
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

    def _renew(self, signed: _Signed) -> None:
        response = signed.obtain()
        assert response.status_code == 200, response.text
        body = response.json()
        signed.headers["Authorization"] = "Bearer " + body["access_token"]
        signed.renew_at = time.monotonic() + int(body["expires_in"]) - RENEW_BEFORE_EXPIRY
        self._signed[signed.headers["Authorization"]] = signed

    def _credentials(self, obtain: Callable[[], httpx2.Response]) -> dict[str, str]:
        signed = _Signed({}, obtain)
        self._renew(signed)
        return signed.headers

    def sign_in(self, email: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
        return self._credentials(
            lambda: self.post(
                "/api/v1/auth/login",
                json={"email": email, "password": password},
                operation_id="auth-login",
            )
        )

    def client_token(self, client_id: str, secret: str) -> dict[str, str]:
        return self._credentials(
            lambda: self.post(
                "/api/v1/auth/token",
                data={"grant_type": "client_credentials"},
                auth=(client_id, secret),
                operation_id="auth-token",
            )
        )


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


def partner_body(unique: str) -> dict[str, Any]:
    return {"name": f"Partenaire {unique[:8]}", "kind": "company", "regions": ["01"]}


def model_body(unique: str) -> dict[str, Any]:
    return {
        "name": f"Modèle {unique[:8]}",
        "description": "Un groupe de travail sous convention.",
        "governance": {
            "chair": {"who": "un membre élu"},
            "meeting_frequency": "quarterly",
            "quorum": {"share_of_members": 0.5},
            "decision_rule": {"kind": "consensus"},
            "decision_record": "procès-verbal",
            "reporting": {"to": "les membres", "frequency": "yearly"},
        },
    }


def network_body(unique: str) -> dict[str, Any]:
    return {
        "region": "01",
        "name": f"Réseau {unique[:8]}",
        # The programme's charter model (network.institution_models.programme).
        "model_id": "5b2f7c1e-6a0d-4e3b-8f41-2d9c0a6e0002",
    }


def need_body(partner_id: str) -> dict[str, Any]:
    return {
        "partner_id": partner_id,
        "region": "01",
        "province": "01.511",
        "sector": "textile",
        "isco_group": "7",
        "positions": 4,
        "horizon": "2027-Q1",
        "contract_type": "fixed_term",
    }


ANNOUNCEMENT: dict[str, Any] = {"title": "Réunion plénière", "body": "Le 12 mars à Tanger."}


def event_body(network_id: str) -> dict[str, Any]:
    return {
        "kind": "meeting",
        "network_id": network_id,
        "title": "Réunion du réseau",
        "starts_at": "2026-11-10T10:00:00+01:00",
        "ends_at": "2026-11-10T12:00:00+01:00",
    }


def agreement_body(party_ids: list[str]) -> dict[str, Any]:
    return {
        "title": "Convention de stages",
        "kind": "internships_apprenticeships",
        "region": "01",
        "party_ids": party_ids,
        "start_date": "2026-09-01",
        "status": "signed",
        "signed_date": "2026-08-20",
        "commitments": [{"description": "Stages", "quantity": 30, "unit": "internships"}],
    }


COMMITMENT: dict[str, Any] = {"description": "Embauches", "quantity": 5, "unit": "hires"}
PROGRESS: dict[str, Any] = {"reported_on": "2026-10-31", "achieved": 3}


def beneficiary_body(unique: str) -> dict[str, Any]:
    """A person an association's counsellor takes in (no CIN: two would collide)."""
    return {
        "first_name": "Personne",
        "last_name": f"Test {unique}",
        "sex": "female",
        "birth_date": "1999-01-01",
        "phone": "+212 600 000 000",
        "region": "01",
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
        # A counsellor of the association, seeded as the demo accounts are.
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
            "partners-create": lambda: partner_body(unique),
            "institution-models-create": lambda: model_body(unique),
            "networks-create": lambda: network_body(unique),
            "working-groups-create": lambda: {
                "network_id": self.network(),
                "name": f"Groupe {unique}",
                "sector": "textile",
            },
            "memberships-create-in-network": lambda: {
                "partner_id": self.partner(),
                "since": "2026-01-01",
            },
            "memberships-create-in-working-group": lambda: {
                "partner_id": self.partner(),
                "since": "2026-01-01",
            },
            "labour-needs-create": lambda: need_body(self.partner()),
            "announcements-create-in-network": lambda: ANNOUNCEMENT,
            "announcements-create-in-working-group": lambda: ANNOUNCEMENT,
            "events-create": lambda: event_body(self.network()),
            "events-create-attendance": lambda: {
                "partner_id": self.partner(),
                "person_name": "Salma Idrissi",
            },
            "events-create-decision": lambda: {"text": "Créer un groupe tourisme."},
            "events-update-decision": lambda: {"text": "Créer deux groupes."},
            "events-create-action-item": lambda: {
                "title": "Envoyer la liste",
                "owner_partner_id": self.partner(),
                "due_date": "2027-01-31",
            },
            "agreements-create": lambda: agreement_body([self.partner(), self.partner()]),
            "agreements-create-commitment": lambda: COMMITMENT,
            "agreements-report-progress": lambda: PROGRESS,
            "associations-create": lambda: {"name": f"Association {unique}", "region": "01"},
            # Named: admins must say which association takes the person in (its own members
            # may, and may name no other).
            "beneficiaries-create": lambda: {
                **beneficiary_body(unique),
                "association_id": self.association_id,
            },
            "consents-create": lambda: {
                "purpose": "support",
                "status": "given",
                "decision_date": "2026-11-01",
                "method": "signed_form",
            },
            "journey-move": lambda: {"stage": "diagnosis"},
            "diagnosis-write": lambda: {"diagnosis_date": "2026-11-02", "skills": ["accueil"]},
            "support-plans-write": lambda: {"objectives": [f"Objectif {unique}"]},
            "support-actions-create": lambda: {
                "kind": "coaching",
                "action_date": "2026-11-03",
                "duration_minutes": 45,
            },
            "outcomes-create": lambda: {"type": "further_training", "outcome_date": "2026-11-04"},
            "referrals-create": lambda: self.referral_body(),
            "referrals-move": lambda: {"status": "dropped", "reason": "Hardening"},
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
        "partner_id",
        "model_id",
        "network_id",
        "working_group_id",
        "membership_id",
        "labour_need_id",
        "announcement_id",
        "event_id",
        "attendance_id",
        "decision_id",
        "action_item_id",
        "agreement_id",
        "commitment_id",
        "association_id",
        "beneficiary_id",
        "action_id",
        "outcome_id",
        "follow_up_id",
        "revision",
        "intake_id",
        "referral_id",
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
        network_records = {
            "partner_id": self.partner,
            "model_id": self.institution_model,
            "network_id": self.network,
            "working_group_id": self.working_group,
            "membership_id": self.membership,
            "labour_need_id": self.labour_need,
            "announcement_id": self.announcement,
        }
        if last_parameter in network_records:
            return {last_parameter: network_records[last_parameter]()}
        if last_parameter in ACTIVITY_KINDS:
            return self.activity(last_parameter)
        if last_parameter == "association_id":
            # Added by the region's coordinator.
            body = {"name": f"Association {uuid.uuid4().hex[:8]}", "region": "01"}
            response = self.api.post("/api/v1/associations", headers=self.coordinator, json=body)
            return {"association_id": str(created(response)["id"])}
        if last_parameter == "beneficiary_id":
            # Taken in by the association's counsellor.
            body = beneficiary_body(uuid.uuid4().hex[:8])
            response = self.api.post("/api/v1/beneficiaries", headers=self.counsellor, json=body)
            return {"beneficiary_id": str(created(response)["id"])}
        if last_parameter == "intake_id":
            return {"intake_id": self.intake_job()}
        if last_parameter in ("action_id", "outcome_id", "follow_up_id", "revision"):
            return self.case_record(last_parameter)
        if last_parameter == "referral_id":
            return {"referral_id": self.referral()}
        raise LookupError(last_parameter)

    def activity(self, kind: str) -> dict[str, str]:
        """An event (with a member partner's attendance, a decision, an action item) or an
        agreement (with a commitment), of a network of region 01 its coordinator made."""
        post = self._created_by_coordinator
        if kind in ("agreement_id", "commitment_id"):
            agreement = created(
                self.api.post(
                    "/api/v1/agreements",
                    headers=self.coordinator,
                    json=agreement_body([self.partner(), self.partner()]),
                )
            )
            commitment = agreement["commitments"][0]["id"]
            return {"agreement_id": str(agreement["id"]), "commitment_id": str(commitment)}
        network_id, partner_id = self.network(), self.partner()
        post(
            f"/api/v1/networks/{network_id}/members",
            {"partner_id": partner_id, "since": "2026-01-01"},
        )
        event_id = post("/api/v1/events", event_body(network_id))
        values = {"event_id": event_id}
        if kind == "attendance_id":
            body = {"partner_id": partner_id, "person_name": "Salma Idrissi"}
            values["attendance_id"] = post(f"/api/v1/events/{event_id}/attendance", body)
        elif kind == "decision_id":
            body = {"text": "Créer un groupe tourisme."}
            values["decision_id"] = post(f"/api/v1/events/{event_id}/decisions", body)
        elif kind == "action_item_id":
            body = {"title": "Liste", "owner_partner_id": partner_id, "due_date": "2027-01-31"}
            values["action_item_id"] = post(f"/api/v1/events/{event_id}/action-items", body)
        return values

    # Network records of region 01, written by its coordinator, in a network of their own: no
    # outsider (the demo partner's member among them) belongs to any of them.

    def _created_by_coordinator(self, path: str, body: dict[str, Any]) -> str:
        response = self.api.post(path, headers=self.coordinator, json=body)
        return str(created(response)["id"])

    def partner(self) -> str:
        return self._created_by_coordinator("/api/v1/partners", partner_body(uuid.uuid4().hex))

    def institution_model(self) -> str:
        response = self.api.post(
            "/api/v1/institution-models", headers=self.admin, json=model_body(uuid.uuid4().hex)
        )
        return str(created(response)["id"])

    def network(self) -> str:
        return self._created_by_coordinator("/api/v1/networks", network_body(uuid.uuid4().hex))

    def working_group(self) -> str:
        body = {"network_id": self.network(), "name": "Groupe textile", "sector": "textile"}
        return self._created_by_coordinator("/api/v1/working-groups", body)

    def membership(self) -> str:
        path = f"/api/v1/networks/{self.network()}/members"
        return self._created_by_coordinator(
            path, {"partner_id": self.partner(), "since": "2026-01-01"}
        )

    def labour_need(self) -> str:
        return self._created_by_coordinator("/api/v1/labour-needs", need_body(self.partner()))

    def announcement(self) -> str:
        path = f"/api/v1/networks/{self.network()}/announcements"
        return self._created_by_coordinator(path, ANNOUNCEMENT)

    def intake_job(self) -> str:
        # A one-person spreadsheet the association's counsellor takes in, finished before it
        # is attacked.
        file = "first_name,last_name,sex,birth_date,region\nSalma,Test,female,2001-03-14,01\n"
        response = self.api.post(
            "/api/v1/beneficiaries/intake",
            headers={**self.counsellor, "Content-Type": "text/csv", "Prefer": "wait=10"},
            content=file.encode(),
        )
        assert response.status_code == 200, response.text
        job: dict[str, Any] = response.json()
        assert job["state"] == "succeeded", job
        return str(job["id"])

    def case_record(self, last_parameter: str) -> dict[str, str]:
        """A part of a person's case file, written by the association's counsellor."""
        person = self.record("beneficiary_id")["beneficiary_id"]
        path = f"/api/v1/beneficiaries/{person}"
        if last_parameter == "revision":
            plan = {"objectives": ["Trouver un emploi"]}
            response = self.api.request("PUT", path + "/plan", headers=self.counsellor, json=plan)
            assert response.status_code == 200, response.text
            return {"beneficiary_id": person, "revision": "1"}
        if last_parameter == "action_id":
            action = {"kind": "workshop", "action_date": "2026-11-05", "duration_minutes": 90}
            response = self.api.post(path + "/actions", headers=self.counsellor, json=action)
            return {"beneficiary_id": person, "action_id": str(created(response)["id"])}
        outcome = {"type": "employment", "outcome_date": "2026-10-01", "sector": "tourism"}
        response = self.api.post(path + "/outcomes", headers=self.counsellor, json=outcome)
        outcome_id = str(created(response)["id"])
        if last_parameter == "outcome_id":
            return {"beneficiary_id": person, "outcome_id": outcome_id}
        response = self.api.get(path + "/follow-ups", headers=self.counsellor)
        assert response.status_code == 200, response.text
        follow_up_id = str(response.json()["items"][0]["id"])
        return {"beneficiary_id": person, "follow_up_id": follow_up_id}

    def referral_body(self) -> dict[str, str]:
        """A person of the association who consents to sharing with providers, and an open
        session of the world's provider."""
        person = {
            "first_name": "Personne",
            "last_name": f"Orientée {uuid.uuid4().hex[:8]}",
            "sex": "female",
            "birth_date": "1999-01-01",
            "phone": "+212 600 000 001",
            "region": "01",
        }
        response = self.api.post("/api/v1/beneficiaries", headers=self.counsellor, json=person)
        person_id = str(created(response)["id"])
        consent = {
            "purpose": "sharing_with_providers",
            "status": "given",
            "decision_date": "2026-11-01",
            "method": "signed_form",
        }
        url = f"/api/v1/beneficiaries/{person_id}/consents"
        created(self.api.post(url, headers=self.counsellor, json=consent))
        return {"beneficiary_id": person_id, "session_id": self.session(publish=True)}

    def referral(self) -> str:
        # Referred by the association's counsellor (a seat held in offers for her).
        response = self.api.post(
            "/api/v1/referrals", headers=self.counsellor, json=self.referral_body()
        )
        return str(created(response)["id"])

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


# The kinds of id of net-activity's records (events and agreements, with what hangs on them).
ACTIVITY_KINDS = frozenset(
    {"event_id", "attendance_id", "decision_id", "action_item_id", "agreement_id", "commitment_id"}
)
PASSWORD = "a-long-enough-password"


def region_world(
    api: Api, admin: dict[str, str], coordinator: dict[str, str], gateway_database_url: str
) -> World:
    """The records of region 01 the hardening and fault tests write through: an association
    held by the beneficiaries service with its manager and counsellor, a published provider and
    its staff (the outsiders are the hardening tests' own)."""
    association = association_of_region(api, admin, "01")
    world = World(
        api=api,
        admin=admin,
        coordinator=coordinator,
        provider_id="",
        association_id=str(association),
        staff={},
        manager=member_of(api, gateway_database_url, Role.ASSOCIATION_MANAGER, association),
        counsellor=member_of(api, gateway_database_url, Role.COUNSELLOR, association),
        gateway_database_url=gateway_database_url,
    )
    world.provider_id = world.provider()
    home = {"provider_id": world.provider_id, "regions": ["01"]}
    world.staff = person(api, admin, "provider_staff", **home)
    return world


def association_of_region(api: Api, admin: dict[str, str], region: str) -> UUID:
    body = {"name": f"Association {uuid.uuid4().hex[:8]}", "region": region}
    return UUID(created(api.post("/api/v1/associations", headers=admin, json=body))["id"])


def member_of(
    api: Api, gateway_database_url: str, role: Role, association_id: UUID
) -> dict[str, str]:
    """A manager or counsellor of the association in region 01, signed in."""
    return seeded_member(
        api, gateway_database_url, role, regions=("01",), association_id=association_id
    )


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
