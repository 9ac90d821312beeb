"""Every application's OpenAPI document says what its routes answer without declaring it."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, FastAPI, Header
from pydantic import BaseModel, SecretStr

from shared.app import create_service_app
from shared.auth import public
from shared.policy import ANY_ROLE, require
from shared.principal import Principal, Role
from shared.problems import problem_responses
from shared.settings import Environment, ServiceTokenVerifierSettings
from shared.testing import Keys

Reader = Annotated[Principal, require(anonymous=True)]
Writer = Annotated[Principal, require(roles={Role.PROVIDER_STAFF}, scopes={"x:write"})]
Member = Annotated[Principal, require(roles=ANY_ROLE)]


class Thing(BaseModel):
    name: str


router = APIRouter(tags=["things"])


@router.get("/v1/things", name="list")
async def list_things(principal: Reader, q: str | None = None) -> list[Thing]:
    return []


@router.post("/v1/things", name="create", status_code=201, responses=problem_responses(409))
async def create_thing(body: Thing, principal: Writer) -> Thing:
    return body


@router.patch("/v1/things/{thing_id}", name="update")
async def update_thing(
    thing_id: UUID,
    body: Thing,
    principal: Writer,
    if_match: Annotated[str | None, Header()] = None,
) -> Thing:
    return body


@router.get(
    "/v1/things/{thing_id}/owner",
    name="owner",
    responses={404: {"description": "The thing has no owner", "content": {}}},
)
async def owner(thing_id: UUID, principal: Member) -> Thing:
    return Thing(name="x")


@router.get("/v1/ping", name="ping")
@public
async def ping() -> dict[str, str]:
    return {}


def build(keys: Keys, tmp: str, routers: list[APIRouter] | None = None) -> FastAPI:
    settings = ServiceTokenVerifierSettings(
        environment=Environment.TEST,
        database_url=f"sqlite+aiosqlite:///{tmp}/openapi.db",
        service_token_public_keys=SecretStr(keys.public_pem.decode()),
        log_json=False,
    )
    return create_service_app(
        service="things",
        title="t",
        description="d",
        settings=settings,
        routers=routers or [router],
    )


def statuses(operation: dict[str, Any]) -> set[str]:
    return set(operation["responses"])


def test_security_follows_the_route_policy(keys: Keys, tmp_path: str) -> None:
    paths = build(keys, str(tmp_path)).openapi()["paths"]
    # Anonymous callers are let in; credentials are optional (they widen the answer).
    assert paths["/v1/things"]["get"]["security"] == [{}, {"accessToken": []}, {"apiClient": []}]
    # The roles admitted (admins always are), and the scopes an API client needs.
    assert paths["/v1/things"]["post"]["security"] == [
        {"accessToken": ["admin", "provider_staff"]},
        {"apiClient": ["x:write"]},
    ]
    # Any signed-in person, and no API client (the policy names no scope).
    assert paths["/v1/things/{thing_id}/owner"]["get"]["security"] == [{"accessToken": []}]
    # @public: credentials are not even looked at.
    assert paths["/v1/ping"]["get"]["security"] == []
    assert paths["/healthz"]["get"]["security"] == []


def test_common_problems_are_documented_on_every_route(keys: Keys, tmp_path: str) -> None:
    paths = build(keys, str(tmp_path)).openapi()["paths"]
    # 400 everywhere: the request guard refuses a malformed path, query or header on any route.
    assert statuses(paths["/v1/things"]["get"]) == {"200", "400", "401", "422"}
    assert statuses(paths["/v1/things"]["post"]) == {"201", "400", "401", "403", "409", "422"}
    assert statuses(paths["/v1/things/{thing_id}"]["patch"]) == {
        "200",
        "400",
        "401",
        "403",
        "404",
        "412",
        "422",
    }
    assert statuses(paths["/v1/ping"]["get"]) == {"200", "400"}
    assert statuses(paths["/healthz"]["get"]) == {"200", "400"}


def test_every_problem_is_problem_json_with_the_one_schema(keys: Keys, tmp_path: str) -> None:
    document = build(keys, str(tmp_path)).openapi()
    components = document["components"]
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for item in document["paths"].values():
        for operation in item.values():
            for status, response in operation["responses"].items():
                if int(status) < 400:
                    continue
                if "$ref" in response:
                    response = components["responses"][response["$ref"].rsplit("/", 1)[1]]
                assert response["content"] == problem, status
    # A route's own description stays; a bare status phrase gives way to the common one.
    owner = document["paths"]["/v1/things/{thing_id}/owner"]["get"]["responses"]
    assert owner["404"]["description"] == "The thing has no owner"
    assert document["paths"]["/v1/things"]["post"]["responses"]["409"]["content"] == problem
    validation = components["responses"]["ValidationFailed"]
    assert "errors" in validation["description"]
    unauthorized = components["responses"]["Unauthorized"]
    assert unauthorized["headers"] == {
        "WWW-Authenticate": {"$ref": "#/components/headers/WWW-Authenticate"}
    }
    # FastAPI's own 422 schema is gone with its 422.
    assert "HTTPValidationError" not in components["schemas"]
    assert "ValidationError" not in components["schemas"]


def test_problem_schema_is_what_is_sent(keys: Keys, tmp_path: str) -> None:
    schemas = build(keys, str(tmp_path)).openapi()["components"]["schemas"]
    problem = schemas["Problem"]
    # Always sent; the others are left out rather than sent as null.
    assert sorted(problem["required"]) == ["code", "status", "title", "type"]
    assert problem["properties"]["detail"] == {"title": "Detail", "type": "string"}
    assert problem["properties"]["errors"]["items"] == {"$ref": "#/components/schemas/FieldProblem"}
    field_problem = schemas["FieldProblem"]
    # Every problem and every field problem has its stable code.
    assert sorted(field_problem["required"]) == ["code", "field", "reason"]
    assert field_problem["properties"]["code"]["type"] == "string"
    assert problem["properties"]["code"]["type"] == "string"


def test_a_path_typed_with_a_convertor_keeps_its_policy_and_problems(
    keys: Keys, tmp_path: str
) -> None:
    typed = APIRouter(tags=["things"])

    @typed.delete("/v1/things/{thing_id:uuid}", name="delete", status_code=204)
    async def delete_thing(thing_id: UUID, principal: Writer) -> None:
        return None

    operation = build(keys, str(tmp_path), [typed]).openapi()["paths"]["/v1/things/{thing_id}"][
        "delete"
    ]
    assert operation["security"] == [
        {"accessToken": ["admin", "provider_staff"]},
        {"apiClient": ["x:write"]},
    ]
    assert {"401", "403", "404", "422"} <= statuses(operation)
