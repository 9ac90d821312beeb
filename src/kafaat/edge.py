"""The nginx edge configuration, rendered from the gateway's route table so the two cannot drift.

nginx is the only published data plane: it asks the gateway who the caller is
(``auth_request`` to ``GET /internal/forward-auth``), caches the answer per (``Authorization``,
service) for as long as the gateway's ``X-Accel-Expires`` says (at most
:data:`AUTH_CACHE_SECONDS`, never past the caller's token), and forwards ``/api/v1/<resource>``
to the owning service itself, with ``/api`` stripped and the service token the gateway minted.
Every other path goes to the gateway.

In front of every path: a path with a dot segment or an encoded slash is refused (404) before
nginx routes it; requests are rate-limited per address and per caller (``Authorization``) with
the gateway's figures (:class:`EdgeLimits`); the client address and scheme are believed from
``X-Forwarded-*`` only when the peer is one of ``KAFAAT_EDGE_TRUSTED_PROXIES`` (rendered at
start by ``deploy/nginx/docker-entrypoint.d/40-kafaat-trusted-proxies.sh``), and are sent on
to the gateway and the services. The edge's own answers are problem+json with the security
headers every application sends (``shared.security_headers``).

``python -m kafaat.edge`` (``make edge-config``) rewrites ``deploy/nginx/templates/`` from
``gateway.routing.ROUTES``; a test fails when the committed file differs.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from limits import parse

from gateway import forward_auth
from gateway.routing import DEFAULT_MAX_UPLOAD_BYTES, PUBLIC_PREFIX, ROUTES, SERVICES, UPLOADS
from gateway.settings import Settings
from kafaat.platform import ROOT
from shared.problems import PROBLEM_TYPE_BASE
from shared.security_headers import ALWAYS, NO_STORE

TEMPLATE = ROOT / "deploy/nginx/templates/kafaat.conf.template"
# Substituted by the nginx image's entrypoint (envsubst) when the container starts.
EDGE_SECRET_PLACEHOLDER = "${KAFAAT_EDGE_SECRET}"
# Less than half the lifetime of a service token (60 s), so a cached token is always valid; the
# gateway shortens it for a token that expires sooner (X-Accel-Expires).
AUTH_CACHE_SECONDS = forward_auth.AUTH_CACHE_SECONDS
# Written when the container starts by deploy/nginx/docker-entrypoint.d/40-kafaat-trusted-proxies.sh
TRUSTED_PROXIES_FILE = "kafaat-trusted-proxies.inc"
DEFAULT_CONF_DIR = "/etc/nginx/conf.d"
_GATEWAY_DEFAULTS = Settings.model_fields
DEFAULT_UPSTREAMS: Mapping[str, str] = {
    "gateway": "gateway:8000",
    "offers": "offers:8001",
    "beneficiaries": "beneficiaries:8002",
    "network": "network:8003",
}
# nginx cannot drop headers by prefix (X-User-*, X-Auth-*, ...), so requests to services carry
# only these client headers, plus the ones the edge sets itself.
FORWARDED_REQUEST_HEADERS = (
    "Accept",
    "Accept-Encoding",
    "Accept-Language",
    "Content-Type",
    "Content-Encoding",
    "If-Match",
    "If-None-Match",
    "If-Modified-Since",
    "If-Unmodified-Since",
    "Idempotency-Key",
    "Prefer",
    "User-Agent",
    "Traceparent",
    "Tracestate",
)
# Identity claims a client must never be able to send to the gateway either.
IDENTITY_HEADERS = (
    "X-User",
    "X-User-Id",
    "X-User-Email",
    "X-User-Role",
    "X-User-Roles",
    "X-User-Scopes",
    "X-User-Regions",
    "X-Principal",
    "X-Principal-Id",
    "X-Auth-User",
    "X-Auth-Request-User",
    "X-Auth-Request-Email",
    "X-Forwarded-User",
    "X-Forwarded-Email",
    "X-Forwarded-Groups",
    "X-Forwarded-Preferred-Username",
    "X-Remote-User",
    "Remote-User",
    "X-Service-Token",
    "X-Kafaat-Edge-Secret",
    "X-Kafaat-Service",
    "X-Kafaat-Service-Token",
)
# $remote_addr is the client's address (the real-IP module took it from a trusted proxy's
# X-Forwarded-For), $kafaat_scheme and $kafaat_host what the client used: the one value the
# gateway and the services see, whatever the client wrote itself.
FORWARDED = (
    "proxy_set_header Host $host;",
    'proxy_set_header Connection "";',
    "proxy_set_header X-Forwarded-For $remote_addr;",
    "proxy_set_header X-Forwarded-Proto $kafaat_scheme;",
    "proxy_set_header X-Forwarded-Host $kafaat_host;",
    "proxy_set_header X-Request-ID $kafaat_request_id;",
)
# A segment that is '.' or '..' (spelt with %2e or not), an encoded slash or backslash, or a
# backslash, anywhere in the raw path: the gateway's request guard refuses the same.
UNSAFE_RAW_PATH = r"^[^?]*(?:%2f|%5c|\x5c|/(?:\.|%2e){1,2}(?:[/?]|$))"
EDGE_ERRORS = {
    400: ("Bad Request", "bad-request", "The request is malformed or its path is not allowed."),
    404: ("Not Found", "not-found", "No such resource."),
    413: ("Content Too Large", "payload-too-large", "The request body is too large."),
    414: ("URI Too Long", "uri-too-long", "The path and query of the request are too long."),
    429: ("Too Many Requests", "rate-limited", "Too many requests: slow down and retry later."),
    502: ("Bad Gateway", "upstream-error", "A service answered with a broken response."),
    503: ("Service Unavailable", "upstream-unavailable", "A service is unavailable."),
    504: ("Gateway Timeout", "upstream-timeout", "A service did not answer in time."),
    505: (
        "HTTP Version Not Supported",
        "http-version-not-supported",
        "Use HTTP/1.1 (or HTTP/1.0).",
    ),
    # nginx's own code for a header line (or the cookies) past large_client_header_buffers,
    # which it answers as a 400.
    494: ("Bad Request", "bad-request", "A request header, or the cookies, is too large."),
}
# Codes nginx uses inside that are no HTTP status: what the client is sent instead.
_SENT_AS = {494: 400}


@dataclass(frozen=True)
class EdgeLimits:
    """The edge's rate limits, in the gateway's notation (``600/minute``): per client address,
    and per caller (``Authorization``, so a caller spreading requests over addresses is still
    one caller). Defaults: the gateway's own defaults."""

    per_ip: str = str(_GATEWAY_DEFAULTS["rate_limit_per_ip"].default)
    per_caller: str = str(_GATEWAY_DEFAULTS["rate_limit_per_principal"].default)

    @staticmethod
    def zone(name: str, key: str, limit: str, size: str) -> tuple[str, str]:
        """``limit_req_zone`` and ``limit_req``: ``N/period`` becomes a leaky bucket of N
        requests at once (burst), refilled at N per period."""
        item = parse(limit)
        per_minute = item.amount * 60 / item.get_expiry()
        rate = (
            f"{math.ceil(per_minute)}r/m" if per_minute < 60 else f"{math.ceil(per_minute / 60)}r/s"
        )
        return (
            f"limit_req_zone {key} zone={name}:{size} rate={rate};",
            f"limit_req zone={name} burst={max(0, item.amount - 1)} nodelay;",
        )

    def retry_after(self) -> int:
        """Seconds until the slower bucket lets one more request through."""
        return max(
            math.ceil(parse(limit).get_expiry() / parse(limit).amount)
            for limit in (self.per_ip, self.per_caller)
        )


def _problem(status: int, title: str, slug: str, detail: str) -> str:
    if "'" in title + detail:
        raise ValueError(f"nginx strings are single-quoted here: {detail!r}")
    # English only (nginx negotiates no language: Content-Language says so), with the code the
    # applications give a problem of a bare status.
    body = {
        "type": PROBLEM_TYPE_BASE + slug,
        "title": title,
        "status": status,
        "code": f"http_{status}",
        "detail": detail,
    }
    # nginx strings are single-quoted here: JSON never needs a single quote.
    return json.dumps(body, separators=(",", ":"))


def _resources(service: str) -> list[str]:
    return [r.prefix.rsplit("/", 1)[1] for r in ROUTES if r.service == service]


def _block(header: str, lines: Sequence[str], indent: int = 4) -> list[str]:
    pad = " " * indent
    return [f"{pad}{header} {{", *(f"{pad}    {line}" for line in lines), f"{pad}}}", ""]


def _auth_headers(edge_secret: str) -> list[str]:
    return [
        "# No body is read here: the location that asked (its own limit checked already) decides",
        "# how large one may be, so an upload larger than other requests is not refused here.",
        "client_max_body_size 0;",
        "proxy_pass_request_body off;",
        "proxy_pass_request_headers off;",
        'proxy_set_header Content-Length "";',
        *FORWARDED,
        "proxy_set_header Authorization $http_authorization;",
        "# The gateway's problems (401, 403) in the caller's language.",
        "proxy_set_header Accept-Language $http_accept_language;",
        "proxy_set_header X-Original-URI $request_uri;",
        "proxy_set_header X-Original-Method $request_method;",
        f'proxy_set_header X-Kafaat-Edge-Secret "{edge_secret}";',
    ]


# URIs rather than named locations: nginx cannot redirect a request whose URI it could not parse
# (a 400 for "/../x") to a named location.
ERRORS_PREFIX = "/_kafaat/errors/"


def _error_pages() -> list[str]:
    return [f"error_page {code} {_sent_as(code)}{ERRORS_PREFIX}{code};" for code in EDGE_ERRORS]


def _sent_as(code: int) -> str:
    return f"={_SENT_AS[code]} " if code in _SENT_AS else ""


def _security_headers() -> list[str]:
    """The headers of every application's answers, on the edge's own answers."""
    return [f"add_header {name} {value} always;" for name, value in (*ALWAYS, NO_STORE)]


def _hsts() -> str:
    max_age = _GATEWAY_DEFAULTS["hsts_max_age_seconds"].default
    return f'"max-age={max_age}; includeSubDomains"'


def _to_service(service: str, raw_uri: str) -> list[str]:
    """A location's body that asks the gateway who the caller is, then proxies to ``service``."""
    return [
        "# The location matched the normalised path; the raw one must agree.",
        f'if ($request_uri !~ "{raw_uri}") {{',
        "    return 404;",
        "}",
        f"set $kafaat_service {service};",
        "auth_request /_kafaat/auth;",
        "auth_request_set $kafaat_service_token $upstream_http_x_kafaat_service_token;",
        "auth_request_set $kafaat_auth_cache $upstream_cache_status;",
        "error_page 401 403 500 = @kafaat_auth_problem;",
        *_error_pages(),
        f"proxy_pass http://kafaat_{service}$kafaat_upstream_uri;",
        "proxy_pass_request_headers off;",
        "# The service sends the other security headers itself (shared.security_headers).",
        "add_header Strict-Transport-Security $kafaat_hsts always;",
        *FORWARDED,
        'proxy_set_header Authorization "Bearer $kafaat_service_token";',
        *(
            f"proxy_set_header {name} $http_{name.lower().replace('-', '_')};"
            for name in FORWARDED_REQUEST_HEADERS
        ),
    ]


def render(
    *,
    upstreams: Mapping[str, str] = DEFAULT_UPSTREAMS,
    listen: str = "8080",
    edge_secret: str = EDGE_SECRET_PLACEHOLDER,
    cache_dir: str = "/var/cache/nginx/kafaat-auth",
    conf_dir: str = DEFAULT_CONF_DIR,
    limits: EdgeLimits | None = None,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
) -> str:
    """The ``http``-level configuration of the edge (upstreams, maps, the server)."""
    limits = limits or EdgeLimits()
    v1 = f"{PUBLIC_PREFIX}/v1"
    per_ip_zone, per_ip = EdgeLimits.zone(
        "kafaat_per_ip", "$binary_remote_addr", limits.per_ip, "10m"
    )
    # Requests without credentials have an empty key: nginx does not count them per caller.
    per_caller_zone, per_caller = EdgeLimits.zone(
        "kafaat_per_caller", "$http_authorization", limits.per_caller, "20m"
    )
    out = [
        "# Generated by `python -m kafaat.edge` (make edge-config) from gateway/src/gateway/",
        "# routing.py: do not edit by hand. Included in nginx's `http` block.",
        "",
        f"proxy_cache_path {cache_dir} levels=1:2 keys_zone=kafaat_auth:10m max_size=64m",
        "                 inactive=60s use_temp_path=off;",
        "",
        "log_format kafaat_json escape=json",
        """    '{"time":"$time_iso8601","service":"edge","request_id":"$kafaat_request_id",'""",
        """    '"method":"$request_method","uri":"$request_uri","status":$status,'""",
        """    '"duration_s":$request_time,"upstream":"$upstream_addr",'""",
        """    '"auth_cache":"$kafaat_auth_cache"}';""",
        "",
        "# Forwarded addresses only from KAFAAT_EDGE_TRUSTED_PROXIES: set_real_ip_from and",
        "# $kafaat_trusted_peer (written at start by 40-kafaat-trusted-proxies.sh).",
        f"include {conf_dir}/{TRUSTED_PROXIES_FILE};",
        "real_ip_header X-Forwarded-For;",
        "real_ip_recursive on;",
        "",
        "# The scheme and host the client used: a trusted proxy's word for them, else ours.",
        *_block(
            "map $kafaat_trusted_peer:$http_x_forwarded_proto $kafaat_scheme",
            ["default $scheme;", '"1:https" https;', '"1:http" http;'],
            indent=0,
        ),
        *_block(
            "map $kafaat_trusted_peer:$http_x_forwarded_host $kafaat_host",
            ["default $host;", '"~^1:(?<kafaat_forwarded_host>[^,]+)$" $kafaat_forwarded_host;'],
            indent=0,
        ),
        "# HSTS only over TLS (RFC 6797), as the gateway sends it.",
        *_block(
            "map $kafaat_scheme $kafaat_hsts",
            ['default "";', f"https {_hsts()};"],
            indent=0,
        ),
        "# Rate limits with the gateway's figures (see README, Rate limits).",
        per_ip_zone,
        per_caller_zone,
        "",
        "# The caller's request id when it sent one, else nginx's own.",
        *_block(
            "map $http_x_request_id $kafaat_request_id",
            ["default $http_x_request_id;", '"" $request_id;'],
            indent=0,
        ),
        "# The path a service sees: the client's, byte for byte, without /api.",
        *_block(
            "map $request_uri $kafaat_upstream_uri",
            [f'"~^{PUBLIC_PREFIX}(?<kafaat_rest>/.*)$" $kafaat_rest;'],
            indent=0,
        ),
    ]
    for name in ("gateway", *SERVICES):
        out += _block(
            f"upstream kafaat_{name}",
            [f"server {upstreams[name]};", "keepalive 32;", "keepalive_timeout 60s;"],
            indent=0,
        )
    server = [
        f"listen {listen};",
        "server_tokens off;",
        "client_max_body_size 10m;",
        "access_log /dev/stdout kafaat_json;",
        "set $kafaat_auth_cache -;",
        "proxy_http_version 1.1;",
        "proxy_connect_timeout 2s;",
        "proxy_send_timeout 15s;",
        "proxy_read_timeout 15s;",
        "merge_slashes on;",
        per_ip,
        per_caller,
        "limit_req_status 429;",
        "limit_req_log_level warn;",
        *_error_pages(),
        "# No resource has a path nginx would resolve before routing: dot segments, encoded",
        "# slashes (the gateway's request guard answers the same).",
        f'if ($request_uri ~* "{UNSAFE_RAW_PATH}") {{',
        f"    rewrite ^ {ERRORS_PREFIX}404 last;",
        "}",
        "# One Authorization only (nginx joins repeated lines with a comma, never in a token).",
        'if ($http_authorization ~ ",") {',
        f"    rewrite ^ {ERRORS_PREFIX}400 last;",
        "}",
    ]
    lines = ["", "server {", *(f"    {line}" for line in server), ""]
    lines += _block(
        "location = /edge/healthz",
        [
            "access_log off;",
            "default_type application/json;",
            *_security_headers(),
            """return 200 '{"status":"ok"}';""",
        ],
    )
    for blocked in ("^~ /internal/", "= /metrics"):
        lines += _block(f"location {blocked}", ["return 404;"])
    lines += _block(
        "location = /_kafaat/auth",
        [
            "internal;",
            "proxy_pass http://kafaat_gateway/internal/forward-auth;",
            *_auth_headers(edge_secret),
            "proxy_cache kafaat_auth;",
            'proxy_cache_key "$kafaat_service|$http_authorization";',
            f"proxy_cache_valid 204 {AUTH_CACHE_SECONDS}s;",
            "proxy_cache_lock on;",
            "# X-Accel-Expires (the gateway's: never past the caller's token) wins over the above.",
            "proxy_ignore_headers Cache-Control Expires Set-Cookie Vary;",
        ],
    )
    lines += _block(
        "location @kafaat_auth_problem",
        [
            "# auth_request keeps no body, and turns answers other than 2xx, 401 and 403 into",
            "# 500: ask the gateway again, uncached, and relay its problem+json as it is.",
            "rewrite ^ /internal/forward-auth? break;",
            "proxy_method GET;",
            "proxy_pass http://kafaat_gateway;",
            *_auth_headers(edge_secret),
        ],
    )
    for code, (title, slug, detail) in EDGE_ERRORS.items():
        status = _SENT_AS.get(code, code)
        lines += _block(
            f"location = {ERRORS_PREFIX}{code}",
            [
                "internal;",
                "default_type application/problem+json;",
                "add_header Content-Language en always;",
                *_security_headers(),
                *(
                    [f"add_header Retry-After {limits.retry_after()} always;"]
                    if status == 429
                    else []
                ),
                *(["add_header Retry-After 5 always;"] if status == 503 else []),
                f"return {status} '{_problem(status, title, slug, detail)}';",
            ],
        )
    for service in SERVICES:
        alternatives = "|".join(_resources(service))
        resource = f"^{v1}/(?:{alternatives})"
        lines += _block(
            f"location ~ {resource}(?:/|$)",
            _to_service(service, f"{resource}(?:[/?]|$)"),
        )
    for upload in UPLOADS:
        # Bulk files (imports run as jobs): a larger body. nginx buffers it (to disk past
        # client_body_buffer_size) before asking the gateway: auth_request needs that.
        lines += _block(
            f"location = {upload.path}",
            [
                f"client_max_body_size {max_upload_bytes};",
                *_to_service(upload.service, f"^{upload.path}(?:[?]|$)"),
            ],
        )
    lines += _block(
        "location /",
        [
            "proxy_pass http://kafaat_gateway;",
            "proxy_read_timeout 30s;",
            *FORWARDED,
            *(f'proxy_set_header {name} "";' for name in IDENTITY_HEADERS),
        ],
    )
    lines[-1:] = ["}", ""]
    return "\n".join(out + lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kafaat.edge", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the file is out of date")
    args = parser.parse_args(argv)
    rendered = render()
    current = TEMPLATE.read_text() if TEMPLATE.exists() else ""
    if args.check:
        if current != rendered:
            print(f"{TEMPLATE.relative_to(ROOT)} is out of date: run `make edge-config`")
            return 1
        return 0
    TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
    TEMPLATE.write_text(rendered)
    print(f"wrote {TEMPLATE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
