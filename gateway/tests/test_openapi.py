"""The merged OpenAPI document: how to authenticate, and every status the gateway's edge adds,
documented on every operation as the answers really are."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import httpx2
from fastapi import APIRouter, FastAPI
from jsonschema import Draft202012Validator
from pydantic import BaseModel, SecretStr
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from gateway.identity.schemas import ClientScope
from gateway.openapi import merge_documents
from shared.app import create_service_app
from shared.policy import require
from shared.principal import Principal, Role
from shared.settings import Environment, ServiceTokenVerifierSettings
from shared.testing import Keys, free_port

from .conftest import OpenGateway

EDGE_STATUSES = {"400", "413", "502", "503", "504"}
NOT_RATE_LIMITED = {"/healthz", "/readyz"}
_DOCUMENT_URI = "urn:kafaat:openapi"


def _unreachable_services() -> dict[str, str]:
    return {f"{service}_url": f"http://127.0.0.1:{free_port()}" for service in SERVICES}


SERVICES = ("offers", "beneficiaries", "network")


async def served_document(open_gateway: OpenGateway) -> dict[str, Any]:
    """The document as the gateway serves it, here with no service reachable (its own part)."""
    async with open_gateway(**_unreachable_services()) as (_, client):
        response = await client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    assert document["x-kafaat-missing-services"] == list(SERVICES)
    return document


def resolved(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        kind, name = node["$ref"].removeprefix("#/components/").split("/")
        node = document["components"][kind][name]
    return node


def documented(document: dict[str, Any], path: str, method: str, status: int) -> dict[str, Any]:
    responses = document["paths"][path][method]["responses"]
    assert str(status) in responses, f"{method.upper()} {path} does not document {status}"
    return resolved(document, responses[str(status)])


def assert_answer_as_documented(
    document: dict[str, Any], response: httpx2.Response, declared: dict[str, Any]
) -> None:
    """The answer's media type, body and headers are those ``declared`` for its status."""
    media_type = response.headers["content-type"].split(";")[0]
    assert media_type in declared["content"], (media_type, declared)
    schema = declared["content"][media_type]["schema"]
    registry = Registry().with_resource(_DOCUMENT_URI, DRAFT202012.create_resource(document))
    validator = Draft202012Validator(
        {"$ref": _DOCUMENT_URI + schema["$ref"]} if "$ref" in schema else schema,
        registry=registry,
    )
    errors = [error.message for error in validator.iter_errors(response.json())]
    assert errors == [], response.text
    for name in declared.get("headers", {}):
        assert name in response.headers, f"{name} documented but not sent"


def all_operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


async def test_document_says_how_to_authenticate(open_gateway: OpenGateway) -> None:
    document = await served_document(open_gateway)
    schemes = document["components"]["securitySchemes"]
    assert schemes["accessToken"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": schemes["accessToken"]["description"],
    }
    flow = schemes["apiClient"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "/api/v1/auth/token"
    assert "post" in document["paths"][flow["tokenUrl"]]
    # Exactly the scopes an API client can be granted, each described.
    assert set(flow["scopes"]) == {scope.value for scope in ClientScope}
    assert all(flow["scopes"].values())
    assert document["servers"] == [
        {"url": "/", "description": document["servers"][0]["description"]}
    ]
    assert document["info"]["contact"]["name"]
    assert document["info"]["license"]["name"]


async def test_every_gateway_operation_documents_security_and_edge_answers(
    open_gateway: OpenGateway,
) -> None:
    document = await served_document(open_gateway)
    operations = all_operations(document)
    assert len(operations) >= 20
    for path, method, operation in operations:
        where = f"{method.upper()} {path}"
        responses = operation["responses"]
        assert "security" in operation, where
        assert EDGE_STATUSES <= set(responses), where
        if operation["security"] != []:
            assert "401" in responses, where
        if path in NOT_RATE_LIMITED:
            assert "429" not in responses, where
            continue
        assert "429" in responses, where
        for status, response in responses.items():
            if status.startswith("2"):
                assert {"RateLimit-Limit", "RateLimit-Remaining"} <= set(response["headers"]), where
    paths = document["paths"]
    assert paths["/api/v1/auth/login"]["post"]["security"] == []
    assert paths["/api/v1/reference/regions"]["get"]["security"] == []
    assert paths["/api/v1/auth/me"]["get"]["security"] == [{"accessToken": []}]
    assert paths["/api/v1/users"]["get"]["security"] == [
        {"accessToken": ["admin", "association_manager", "regional_coordinator"]}
    ]
    # OAuth2 errors keep their RFC 6749 format; the edge's 400 is a problem.
    token_400 = paths["/api/v1/auth/token"]["post"]["responses"]["400"]["content"]
    assert set(token_400) == {"application/json", "application/problem+json"}
    too_many = resolved(document, paths["/api/v1/users"]["get"]["responses"]["429"])
    assert {"Retry-After", "RateLimit-Limit", "RateLimit-Reset"} <= set(too_many["headers"])


# --- a service's document, merged ---------------------------------------------------------------


class OfferCard(BaseModel):
    title: str


class ApiClientRead(BaseModel):
    """Same name as one of the gateway's schemas, other content."""

    offers: int


class Supply(BaseModel):
    seats: int


Reader = Annotated[Principal, require(anonymous=True)]
Writer = Annotated[Principal, require(roles={Role.PROVIDER_STAFF}, scopes={"offers:write"})]
Teleporter = Annotated[Principal, require(roles={Role.COUNSELLOR}, scopes={"offers:teleport"})]
router = APIRouter(tags=["offers"])


@router.get("/v1/offers", name="list")
async def list_offers(principal: Reader, limit: int = 50) -> list[OfferCard]:
    return []


@router.post("/v1/offers", name="create", status_code=201)
async def create_offer(body: OfferCard, principal: Writer) -> ApiClientRead:
    return ApiClientRead(offers=1)


@router.post("/v1/offers/{offer_id}/teleport", name="teleport")
async def teleport(offer_id: UUID, principal: Teleporter) -> OfferCard:
    return OfferCard(title="x")


@router.get("/v1/stats/supply", name="supply")
async def supply(principal: Reader) -> Supply:
    return Supply(seats=0)


def offers_like_service(keys: Keys, tmp: str) -> FastAPI:
    settings = ServiceTokenVerifierSettings(
        environment=Environment.TEST,
        database_url=f"sqlite+aiosqlite:///{tmp}/offers.db",
        service_token_public_keys=SecretStr(keys.public_pem.decode()),
        log_json=False,
    )
    return create_service_app(
        service="offers", title="o", description="d", settings=settings, routers=[router]
    )


def test_merge_documents_what_the_edge_adds_to_service_operations(
    app: FastAPI, keys: Keys, tmp_path: str
) -> None:
    service = offers_like_service(keys, str(tmp_path)).openapi()
    merged = merge_documents(app.openapi(), {"offers": service})
    listing = merged["paths"]["/api/v1/offers"]["get"]
    assert listing["security"] == [{}, {"accessToken": []}, {"apiClient": []}]
    assert set(listing["responses"]) == {"200", "401", "422", "429"} | EDGE_STATUSES
    creating = merged["paths"]["/api/v1/offers"]["post"]
    assert creating["security"] == [
        {"accessToken": ["admin", "provider_staff"]},
        {"apiClient": ["offers:write"]},
    ]
    assert {"400", "401", "403", "422", "429"} <= set(creating["responses"])
    # No API client can be granted offers:teleport: only people can call it.
    teleporting = merged["paths"]["/api/v1/offers/{offer_id}/teleport"]["post"]
    assert teleporting["security"] == [{"accessToken": ["admin", "counsellor"]}]
    assert "404" in teleporting["responses"]
    # Internal paths are not public, nor the schemas only they use.
    assert "/api/v1/stats/supply" not in merged["paths"]
    assert "Supply" not in merged["components"]["schemas"]
    # A clash of names is resolved by the service's prefix, references included.
    created = creating["responses"]["201"]["content"]["application/json"]["schema"]
    assert created == {"$ref": "#/components/schemas/OffersApiClientRead"}
    assert merged["components"]["schemas"]["OffersApiClientRead"]["required"] == ["offers"]
    assert "client_id" in merged["components"]["schemas"]["ApiClientRead"]["properties"]
    assert {"name": "offers", "description": "Served by the offers service."} in merged["tags"]
    assert {"name": "users", "description": "Served by the gateway."} in merged["tags"]
    # One Problem for everyone.
    assert "OffersProblem" not in merged["components"]["schemas"]


# --- the answers, as documented -----------------------------------------------------------------


async def test_rate_limited_answer_is_as_documented(
    open_gateway: OpenGateway, client: httpx2.AsyncClient
) -> None:
    document = await served_document(open_gateway)
    async with open_gateway(rate_limit_per_ip="2/minute") as (_, limited):
        for _ in range(2):
            assert (await limited.get("/api/v1/reference/regions")).status_code == 200
        response = await limited.get("/api/v1/reference/regions")
    assert response.status_code == 429
    declared = documented(document, "/api/v1/reference/regions", "get", 429)
    assert_answer_as_documented(document, response, declared)
    assert {"Retry-After", "RateLimit-Limit", "RateLimit-Remaining"} <= set(declared["headers"])


async def test_too_large_body_answer_is_as_documented(open_gateway: OpenGateway) -> None:
    document = await served_document(open_gateway)
    async with open_gateway(max_body_bytes=1024) as (_, small):
        response = await small.post(
            "/api/v1/auth/login", json={"email": "a@example.org", "password": "x" * 2000}
        )
    assert response.status_code == 413
    declared = documented(document, "/api/v1/auth/login", "post", 413)
    assert_answer_as_documented(document, response, declared)


async def test_unreadable_body_answer_is_as_documented(
    open_gateway: OpenGateway, client: httpx2.AsyncClient
) -> None:
    document = await served_document(open_gateway)
    json_headers = {"Content-Type": "application/json"}
    # JSON whose bytes are not UTF-8 text: 400.
    unreadable = await client.post(
        "/api/v1/auth/login", content=b'{"email": "\xff"}', headers=json_headers
    )
    assert unreadable.status_code == 400
    declared = documented(document, "/api/v1/auth/login", "post", 400)
    assert_answer_as_documented(document, unreadable, declared)
    # Text that is not JSON: 422, naming where it breaks.
    broken = await client.post("/api/v1/auth/login", content=b'{"email":', headers=json_headers)
    assert broken.status_code == 422
    # The catalogue's message of pydantic's json_invalid (FastAPI's own said "JSON decode error").
    assert broken.json()["errors"][0] == {
        "field": "body.9",
        "reason": "Invalid JSON: Expecting value",
        "code": "json_invalid",
    }
    assert_answer_as_documented(
        document, broken, documented(document, "/api/v1/auth/login", "post", 422)
    )


async def test_unavailable_service_answer_is_as_documented(open_gateway: OpenGateway) -> None:
    document = await served_document(open_gateway)
    async with open_gateway(**_unreachable_services()) as (_, gateway):
        response = await gateway.get("/api/v1/offers")
    assert response.status_code == 503
    declared = resolved(document, {"$ref": "#/components/responses/ServiceUnavailable"})
    assert_answer_as_documented(document, response, declared)
