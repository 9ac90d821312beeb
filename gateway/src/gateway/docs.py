"""The API's documentation pages, ``/docs`` (Swagger UI) and ``/redoc`` (ReDoc), served with
their assets by the gateway itself.

Many regional offices and intranets have no internet access, and people paste their tokens in
``/docs``: neither page loads anything from another origin. Swagger UI's and ReDoc's bundles come
from the ``fastapi-offline`` package (swagger-ui-dist 5 and ReDoc 2's standalone bundle, refreshed
with each of its releases), never copied into this repository; the script that starts Swagger UI
is a file of ours beside this module. Each page carries a strict Content-Security-Policy:
everything from this origin, no inline script, no third-party origin. Styles are the exception
ReDoc needs: it injects its CSS as ``<style>`` elements at run time (styled-components), which no
hash can name in advance; a style cannot run code.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, Response

from gateway.openapi import ADEQUACY_METHOD_PATH, CHANGELOG_PATH, PROBLEM_CODES_PATH
from shared import problem_codes
from shared.auth import public
from shared.problems import not_found

DOCS_PATH = "/docs"
REDOC_PATH = "/redoc"
ASSETS_PATH = "/docs/assets"
# The breaking changes of the contract, each accepted by recording it (kafaat.contract).
CHANGELOG = Path(__file__).parent / "API-CHANGELOG.md"
ADEQUACY_METHOD = Path(__file__).parent / "views" / "adequacy-method.md"
_VENDOR = Path(fastapi_offline.__file__).parent / "static"
_OURS = Path(__file__).parent / "docs_assets"
# Every asset the pages use, by the name they are served under: nothing else is served.
ASSETS: dict[str, tuple[Path, str]] = {
    "swagger-ui.css": (_VENDOR / "swagger-ui.css", "text/css"),
    "swagger-ui-bundle.js": (_VENDOR / "swagger-ui-bundle.js", "text/javascript"),
    "redoc.standalone.js": (_VENDOR / "redoc.standalone.js", "text/javascript"),
    "favicon.png": (_VENDOR / "favicon.png", "image/png"),
    "swagger-init.js": (_OURS / "swagger-init.js", "text/javascript"),
}
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        # ReDoc's run-time <style> elements (see the module); Swagger UI's icons are data: URIs.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        # ReDoc's search index runs in a worker it builds from a blob.
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# The assets change only with the package: a day in caches, revalidated after.
_ASSET_CACHE = "public, max-age=86400"


def _page(title: str, head: str, body: str) -> HTMLResponse:
    html = (
        "<!doctype html>\n"
        '<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        f'<link rel="icon" type="image/png" href="{ASSETS_PATH}/favicon.png">\n'
        f"{head}</head>\n<body>\n{body}</body>\n</html>\n"
    )
    return HTMLResponse(html, headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY})


def swagger_ui_page(openapi_url: str, title: str) -> HTMLResponse:
    return _page(
        title,
        f'<link rel="stylesheet" href="{ASSETS_PATH}/swagger-ui.css">\n',
        f'<div id="swagger-ui" data-openapi-url="{escape(openapi_url)}"></div>\n'
        f'<script src="{ASSETS_PATH}/swagger-ui-bundle.js"></script>\n'
        f'<script src="{ASSETS_PATH}/swagger-init.js"></script>\n',
    )


def redoc_page(openapi_url: str, title: str) -> HTMLResponse:
    # The standalone bundle renders every <redoc spec-url> element by itself: no script of ours.
    return _page(
        title,
        "",
        f'<redoc spec-url="{escape(openapi_url)}"></redoc>\n'
        f'<script src="{ASSETS_PATH}/redoc.standalone.js"></script>\n',
    )


def docs_router(openapi_url: str, title: str) -> APIRouter:
    """``/docs``, ``/redoc`` and their assets, for the document at ``openapi_url``, and the
    contract's changelog the document links to."""
    router = APIRouter(tags=["docs"])

    @router.get(DOCS_PATH, include_in_schema=False)
    @public
    async def swagger_ui() -> HTMLResponse:
        return swagger_ui_page(openapi_url, title)

    @router.get(REDOC_PATH, include_in_schema=False)
    @public
    async def redoc() -> HTMLResponse:
        return redoc_page(openapi_url, title)

    @router.get(ASSETS_PATH + "/{name}", include_in_schema=False)
    @public
    async def asset(name: str) -> FileResponse:
        found = ASSETS.get(name)
        if found is None:
            raise not_found("documentation asset", name)
        path, media_type = found
        return FileResponse(path, media_type=media_type, headers={"Cache-Control": _ASSET_CACHE})

    @router.get(CHANGELOG_PATH, include_in_schema=False)
    @public
    async def changelog() -> Response:
        return Response(CHANGELOG.read_bytes(), media_type="text/markdown; charset=utf-8")

    @router.get(ADEQUACY_METHOD_PATH, include_in_schema=False)
    @public
    async def adequacy_method() -> Response:
        return Response(ADEQUACY_METHOD.read_bytes(), media_type="text/markdown; charset=utf-8")

    codes_page = problem_codes.markdown().encode("utf-8")

    @router.get(PROBLEM_CODES_PATH, include_in_schema=False)
    @public
    async def problem_codes_page() -> Response:
        return Response(codes_page, media_type="text/markdown; charset=utf-8")

    return router
