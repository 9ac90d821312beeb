"""``/api/v1/auth/*``, ``/api/v1/users`` and ``/api/v1/api-clients``: the thin HTTP layer."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any
from urllib.parse import unquote_plus
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from gateway.database import idempotency
from gateway.identity import service
from gateway.identity.dependencies import Administrator, IdentityDep, SignedInUser, UserManager
from gateway.identity.schemas import (
    ApiClientCreate,
    ApiClientCreated,
    ApiClientQuery,
    ApiClientRead,
    ApiClientSecret,
    ApiClientUpdate,
    ClientToken,
    LoginRequest,
    LogoutRequest,
    Me,
    OAuthError,
    PasswordChange,
    RefreshRequest,
    TokenPair,
    UserCreate,
    UserQuery,
    UserRead,
    UserUpdate,
)
from gateway.identity.service import OAuthProblem
from gateway.proxy import Proxy
from shared.auth import public
from shared.concurrency import IfMatch, set_etag
from shared.db import SessionDep
from shared.idempotency import IdempotencyKey
from shared.pagination import Page, PageParamsDep, page_response
from shared.problems import problem_responses

API_PREFIX = "/api/v1"
# Tokens must not be kept by a browser or an intermediary cache (RFC 6749 §5.1).
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

auth_router = APIRouter(prefix="/auth", tags=["auth"])
users_router = APIRouter(prefix="/users", tags=["users"])
clients_router = APIRouter(prefix="/api-clients", tags=["api-clients"])


def _proxy(request: Request) -> Proxy:
    proxy: Proxy = request.app.state.proxy
    return proxy


# How the gateway asks the services about the organisations people are bound to.
ProxyDep = Annotated[Proxy, Depends(_proxy)]


def _no_store(response: Response) -> None:
    response.headers.update(NO_STORE)


# --- signing in -------------------------------------------------------------------------------


@auth_router.post(
    "/login",
    response_model=TokenPair,
    status_code=200,
    name="login",
    responses=problem_responses(401, 422, 429),
)
@public
async def login(
    body: LoginRequest, session: SessionDep, identity: IdentityDep, response: Response
) -> TokenPair:
    """An access token (15 minutes at most) and a refresh token for an email and password.

    After 5 failed attempts the email is locked for 15 minutes (429 with ``Retry-After``).
    """
    _no_store(response)
    return await service.login(session, identity, body.email, body.password)


@auth_router.post(
    "/refresh",
    response_model=TokenPair,
    status_code=200,
    name="refresh",
    responses=problem_responses(401, 422),
)
@public
async def refresh(
    body: RefreshRequest, session: SessionDep, identity: IdentityDep, response: Response
) -> TokenPair:
    """A new pair for a refresh token, which stops working. Presenting a used refresh token
    again signs out that whole session."""
    _no_store(response)
    return await service.refresh(session, identity, body.refresh_token)


@auth_router.post("/logout", status_code=204, name="logout", responses=problem_responses(422))
@public
async def logout(body: LogoutRequest, session: SessionDep) -> Response:
    """End the session of this refresh token (its access tokens expire within 15 minutes)."""
    await service.logout(session, body.refresh_token)
    return Response(status_code=204)


@auth_router.get(
    "/me", response_model=Me, status_code=200, name="me", responses=problem_responses(401, 403)
)
async def me(principal: SignedInUser, session: SessionDep) -> Me:
    user = await service.signed_in_user(session, principal)
    return Me(
        id=user.id,
        email=user.email,
        full_name=user.full_name,
        role=user.role,
        regions=list(user.regions),
        association_id=user.association_id,
        provider_id=user.provider_id,
        partner_id=user.partner_id,
    )


@auth_router.post(
    "/password",
    response_model=TokenPair,
    status_code=200,
    name="change-password",
    responses=problem_responses(401, 403, 422, 429),
)
async def change_password(
    body: PasswordChange,
    principal: SignedInUser,
    session: SessionDep,
    identity: IdentityDep,
    response: Response,
) -> TokenPair:
    """Change your password: every session is signed out and a fresh pair is answered."""
    _no_store(response)
    return await service.change_password(
        session, identity, principal, body.current_password, body.new_password
    )


_TOKEN_REQUEST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["grant_type"],
                    "properties": {
                        "grant_type": {"type": "string", "enum": ["client_credentials"]},
                        "scope": {
                            "type": "string",
                            "description": "Space-separated; all granted scopes when omitted",
                        },
                        "client_id": {"type": "string", "description": "Unless sent by Basic"},
                        "client_secret": {"type": "string", "description": "Unless sent by Basic"},
                    },
                }
            }
        },
    }
}
_OAUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": OAuthError, "description": "RFC 6749 §5.2 error"},
    401: {"model": OAuthError, "description": "invalid_client"},
}


def _oauth_error(problem: OAuthProblem, *, basic: bool) -> JSONResponse:
    headers = dict(NO_STORE)
    if problem.status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="kafaat"' if basic else 'Bearer realm="kafaat"'
    return JSONResponse(
        {"error": problem.error, "error_description": problem.description},
        status_code=problem.status,
        headers=headers,
    )


def _basic_credentials(authorization: str) -> tuple[str, str]:
    """RFC 6749 §2.3.1: both parts form-urlencoded, then ``id:secret`` in Basic."""
    try:
        decoded = base64.b64decode(authorization.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise OAuthProblem("invalid_client", "Malformed Basic credentials.", 401) from exc
    client_id, colon, client_secret = decoded.partition(":")
    if not colon:
        raise OAuthProblem("invalid_client", "Malformed Basic credentials.", 401)
    return unquote_plus(client_id), unquote_plus(client_secret)


async def _token_request(request: Request) -> tuple[str, str, list[str] | None]:
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise OAuthProblem(
            "invalid_request", "Send the parameters as application/x-www-form-urlencoded."
        )
    try:
        form = await request.form()
    except HTTPException:
        raise  # 413 from the body limit
    except Exception as exc:  # a malformed body is the client's error, never a 500
        raise OAuthProblem("invalid_request", "The form body cannot be read.") from exc
    parameters: dict[str, str] = {}
    for name in ("grant_type", "scope", "client_id", "client_secret"):
        values = form.getlist(name)
        if len(values) > 1:
            raise OAuthProblem("invalid_request", f"'{name}' is sent more than once.")
        if values:
            if not isinstance(values[0], str):
                raise OAuthProblem("invalid_request", f"'{name}' must be text.")
            parameters[name] = values[0]
    grant_type = parameters.get("grant_type")
    if not grant_type:
        raise OAuthProblem("invalid_request", "'grant_type' is missing.")
    if grant_type != "client_credentials":
        raise OAuthProblem(
            "unsupported_grant_type", "Only the client_credentials grant is supported."
        )
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        if "client_secret" in parameters:
            raise OAuthProblem(
                "invalid_request", "Authenticate the client one way only: Basic or the body."
            )
        client_id, client_secret = _basic_credentials(credentials)
        if parameters.get("client_id", client_id) != client_id:
            raise OAuthProblem("invalid_request", "'client_id' differs from the Basic one.")
    elif "client_id" in parameters and "client_secret" in parameters:
        client_id, client_secret = parameters["client_id"], parameters["client_secret"]
    else:
        raise OAuthProblem(
            "invalid_client",
            "Authenticate the client with HTTP Basic or client_id and client_secret.",
            401,
        )
    scope = parameters.get("scope", "").split()
    return client_id, client_secret, scope or None


@auth_router.post(
    "/token",
    response_model=ClientToken,
    status_code=200,
    name="token",
    responses=_OAUTH_ERRORS,
    openapi_extra=_TOKEN_REQUEST_BODY,
)
@public
async def client_token(request: Request, session: SessionDep, identity: IdentityDep) -> Response:
    """OAuth2 client credentials (RFC 6749 §4.4) for client systems: a bearer token carrying
    only the scopes granted to the client (or the requested subset), at most 15 minutes."""
    basic = request.headers.get("authorization", "").lower().startswith("basic ")
    try:
        client_id, client_secret, scopes = await _token_request(request)
        token = await service.client_credentials(
            session, identity, client_id, client_secret, scopes
        )
    except OAuthProblem as problem:
        return _oauth_error(problem, basic=basic)
    return JSONResponse(token.model_dump(), headers=NO_STORE)


# --- people -----------------------------------------------------------------------------------


@users_router.get(
    "",
    response_model=Page[UserRead],
    status_code=200,
    name="list",
    responses=problem_responses(401, 403, 422),
)
async def list_users(
    principal: UserManager,
    session: SessionDep,
    page: PageParamsDep,
    filters: Annotated[UserQuery, Query()],
) -> Response:
    """The people you manage (an admin: everyone; a coordinator: its regions; an association
    manager: its association)."""
    return page_response(await service.list_users(session, principal, filters, page))


@users_router.post(
    "",
    response_model=UserRead,
    status_code=201,
    name="create",
    responses=problem_responses(401, 403, 404, 409, 422, 502, 503, 504),
)
async def create_user(
    body: UserCreate,
    principal: UserManager,
    session: SessionDep,
    identity: IdentityDep,
    proxy: ProxyDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Create a person inside your scope, with a role no broader than yours. The provider,
    association or partner they belong to must lie in your regions (404 on the field
    otherwise, as for one that does not exist); a provider's staff get its region."""

    async def create() -> UserRead:
        return UserRead.model_validate(
            await service.create_user(session, identity, proxy, principal, body)
        )

    # The password stays out of the stored fingerprint: it must not be kept, even hashed fast.
    return await idempotency.create_once(
        session,
        request,
        principal.subject,
        idempotency_key,
        body,
        create,
        secret_fields={"password"},
        location=lambda created: f"{API_PREFIX}/users/{created['id']}",
    )


@users_router.get(
    "/{user_id}",
    response_model=UserRead,
    status_code=200,
    name="get",
    responses=problem_responses(401, 403, 404),
)
async def get_user(
    user_id: UUID, principal: UserManager, session: SessionDep, response: Response
) -> UserRead:
    user = await service.get_user(session, principal, user_id)
    set_etag(response, user.version)
    return UserRead.model_validate(user)


@users_router.patch(
    "/{user_id}",
    response_model=UserRead,
    status_code=200,
    name="update",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 502, 503, 504),
)
async def update_user(
    user_id: UUID,
    body: UserUpdate,
    principal: UserManager,
    session: SessionDep,
    identity: IdentityDep,
    proxy: ProxyDep,
    response: Response,
    if_match: IfMatch = None,
) -> UserRead:
    """Change a person's details, role, scope, active flag or password. Disabling a person or
    setting their password signs them out everywhere. A new role, scope or organisation is
    checked as on creation."""
    user = await service.update_user(session, identity, proxy, principal, user_id, body, if_match)
    set_etag(response, user.version)
    return UserRead.model_validate(user)


# --- client systems ---------------------------------------------------------------------------


@clients_router.get(
    "",
    response_model=Page[ApiClientRead],
    status_code=200,
    name="list",
    responses=problem_responses(401, 403, 422),
)
async def list_clients(
    principal: Administrator,
    session: SessionDep,
    page: PageParamsDep,
    filters: Annotated[ApiClientQuery, Query()],
) -> Response:
    return page_response(await service.list_clients(session, filters, page))


@clients_router.post(
    "",
    response_model=ApiClientCreated,
    status_code=201,
    name="create",
    responses=problem_responses(401, 403, 422),
)
async def create_client(
    body: ApiClientCreate, principal: Administrator, session: SessionDep, response: Response
) -> ApiClientCreated:
    """Register a client system. Its secret is in this answer only: keep it safe.

    No ``Idempotency-Key`` here: replaying the answer would mean storing the secret.
    """
    client, secret = await service.create_client(session, principal, body)
    response.headers.update(NO_STORE)
    response.headers["Location"] = f"{API_PREFIX}/api-clients/{client.id}"
    set_etag(response, client.version)
    return ApiClientCreated(
        **ApiClientRead.model_validate(client).model_dump(), client_secret=secret
    )


@clients_router.get(
    "/{client_id}",
    response_model=ApiClientRead,
    status_code=200,
    name="get",
    responses=problem_responses(401, 403, 404),
)
async def get_client(
    client_id: UUID, principal: Administrator, session: SessionDep, response: Response
) -> ApiClientRead:
    client = await service.get_client(session, client_id)
    set_etag(response, client.version)
    return ApiClientRead.model_validate(client)


@clients_router.patch(
    "/{client_id}",
    response_model=ApiClientRead,
    status_code=200,
    name="update",
    responses=problem_responses(401, 403, 404, 412, 422),
)
async def update_client(
    client_id: UUID,
    body: ApiClientUpdate,
    principal: Administrator,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> ApiClientRead:
    """Change scopes, regions or expiry, or disable (``active: false``). Tokens already issued
    keep working until they expire (15 minutes at most)."""
    client = await service.update_client(session, client_id, body, if_match)
    set_etag(response, client.version)
    return ApiClientRead.model_validate(client)


@clients_router.post(
    "/{client_id}/secret",
    response_model=ApiClientSecret,
    status_code=200,
    name="rotate-secret",
    responses=problem_responses(401, 403, 404, 412),
)
async def rotate_client_secret(
    client_id: UUID,
    principal: Administrator,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> ApiClientSecret:
    """A new secret, shown this once; the previous one stops working at once."""
    client, secret = await service.rotate_client_secret(session, client_id, if_match)
    response.headers.update(NO_STORE)
    set_etag(response, client.version)
    return ApiClientSecret(client_id=client.client_id, client_secret=secret)


router = APIRouter()
router.include_router(auth_router)
router.include_router(users_router)
router.include_router(clients_router)
