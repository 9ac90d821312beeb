"""The merged OpenAPI document, built in-process: ``python -m kafaat.contract --output FILE``.

The gateway and the three services are built as applications (nothing is started, no database
is opened) and their documents merged exactly as the gateway merges them when it serves
``/api/v1/openapi.json``. ``make contract-check`` lints the result and compiles a TypeScript
client generated from it.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from gateway.openapi import merge_documents
from gateway.routing import SERVICES


def _application(package: str, var_dir: Path) -> FastAPI:
    settings_class = importlib.import_module(f"{package}.settings").Settings
    # Development defaults, with the keys made for the occasion in a scratch directory.
    settings = settings_class(environment="development", var_dir=var_dir, log_json=False)
    app: FastAPI = importlib.import_module(f"{package}.main").create_app(settings)
    return app


def merged_document() -> dict[str, Any]:
    """The public document as ``GET /api/v1/openapi.json`` serves it."""
    with tempfile.TemporaryDirectory(prefix="kafaat-contract-") as scratch:
        var_dir = Path(scratch)
        services = {service: _application(service, var_dir).openapi() for service in SERVICES}
        return merge_documents(_application("gateway", var_dir).openapi(), services)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, help="file to write (default: standard output)")
    args = parser.parse_args(argv)
    text = json.dumps(merged_document(), ensure_ascii=False, indent=2) + "\n"
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
