"""The declarative route table: which service owns which public prefix.

``/api/v1/<resource>…`` is forwarded to the owning service as ``/v1/<resource>…``.
"""

from __future__ import annotations

from dataclasses import dataclass

PUBLIC_PREFIX = "/api"


@dataclass(frozen=True)
class Route:
    prefix: str  # public, e.g. "/api/v1/offers"
    service: str

    @property
    def upstream_prefix(self) -> str:
        return self.prefix.removeprefix(PUBLIC_PREFIX)


def _routes(service: str, *resources: str) -> list[Route]:
    return [
        Route(prefix=f"{PUBLIC_PREFIX}/v1/{resource}", service=service) for resource in resources
    ]


ROUTES: tuple[Route, ...] = (
    *_routes("offers", "providers", "offers", "sessions", "imports"),
    *_routes("beneficiaries", "associations", "beneficiaries", "referrals"),
    *_routes(
        "network",
        "partners",
        "networks",
        "working-groups",
        "events",
        "agreements",
        "labour-needs",
        "institution-models",
        "memberships",
        "announcements",
        "action-items",
    ),
)

SERVICES: tuple[str, ...] = tuple(dict.fromkeys(route.service for route in ROUTES))


@dataclass(frozen=True)
class Upload:
    """A path that takes bulk files: its bodies may be larger than any other request's (the
    service runs them as jobs), up to the gateway's ``MAX_UPLOAD_BYTES`` and the edge's."""

    path: str
    service: str


UPLOADS: tuple[Upload, ...] = (
    Upload(f"{PUBLIC_PREFIX}/v1/offers/import", "offers"),
    # A new association's spreadsheet of the people it supports (run as a job).
    Upload(f"{PUBLIC_PREFIX}/v1/beneficiaries/intake", "beneficiaries"),
)
UPLOAD_PATHS: frozenset[str] = frozenset(upload.path for upload in UPLOADS)
# A 200k-row JSON Lines import is about 90 MB.
DEFAULT_MAX_UPLOAD_BYTES = 512 * 1024 * 1024

# First path segment after /api/v1/ -> route: one dict look-up per request.
_BY_RESOURCE: dict[str, Route] = {route.prefix.rsplit("/", 1)[1]: route for route in ROUTES}
_V1 = f"{PUBLIC_PREFIX}/v1/"


def resolve(path: str) -> tuple[Route, str] | None:
    """The route owning ``path`` and the path to call upstream, or None if the gateway owns it."""
    if not path.startswith(_V1):
        return None
    resource = path[len(_V1) :].split("/", 1)[0]
    route = _BY_RESOURCE.get(resource)
    if route is None:
        return None
    return route, path.removeprefix(PUBLIC_PREFIX)


def public_path(service: str, upstream_path: str) -> str | None:
    """The public path of a service path, if the route table exposes it."""
    route = resolve(PUBLIC_PREFIX + upstream_path)
    if route is None or route[0].service != service:
        return None
    return PUBLIC_PREFIX + upstream_path
