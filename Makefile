# Kafaat: `make run` runs the platform on SQLite with demo data; `make test` runs every check.
# Needs only Python 3.11+ and make: uv is installed into .tools/ and everything else by uv.

PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .tools/bin/uv
VENV := .venv
BIN := $(VENV)/bin
PACKAGES := shared gateway services/offers services/beneficiaries services/network
SERVICE_ROOTS := gateway services/offers services/beneficiaries services/network
export KAFAAT_TEST_POSTGRES_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/postgres

# Tools the deployment, backup and documentation (headless browser) tests run, as
# `command:Debian package`.
SYSTEM_TOOLS := nginx:nginx pg_dump:postgresql-client pg_restore:postgresql-client chromium:chromium

.PHONY: install system-deps run test lint typecheck migrations-check unit-tests bench format \
	edge-config contract-check contract-snapshot client clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

install: $(UV)
	$(UV) sync --frozen --all-packages --quiet

# The tests also run nginx and pg_dump/pg_restore: installed from Debian's packages when missing
# (as root, as CI runs), else the missing ones are named and the run stops.
system-deps:
	@set -e; missing=""; PATH="$$PATH:/usr/sbin:/sbin"; \
	for tool in $(SYSTEM_TOOLS); do \
		program=$${tool%%:*}; package=$${tool#*:}; \
		command -v $$program >/dev/null || missing="$$missing $$package"; \
	done; \
	missing=$$(echo $$missing | tr ' ' '\n' | sort -u | tr '\n' ' '); \
	if [ -n "$${missing% }" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing Debian packages: $$missing"; \
			apt-get update -qq; \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
		else \
			echo "missing tools for the tests; install them with: sudo apt-get install $$missing" >&2; \
			exit 1; \
		fi; \
	fi

run: install
	$(BIN)/kafaat run --demo

test: install system-deps lint typecheck migrations-check unit-tests contract-check

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy

# Upgrade a scratch SQLite and PostgreSQL database to head, then `alembic check` that the
# models and the migrations agree.
migrations-check:
	$(BIN)/python -m kafaat.migrations_check $(SERVICE_ROOTS)

# One pytest run per package, rooted in it, so `gateway/tests` is not taken for the
# `gateway` package and each suite gets its own session fixtures. Two lanes side by side, one
# per core: the package suites one after another (their output as it comes), and the
# cross-service suite `tests/` (its processes wait on each other more than they compute; its
# output is kept in var/test-logs/platform.log and shown when it ends). Fails if either does.
PYTEST := $(BIN)/pytest -c pyproject.toml -q -p no:cacheprovider
TEST_LOGS := var/test-logs

unit-tests:
	@mkdir -p $(TEST_LOGS); \
	( echo "== pytest tests (the platform's processes)"; \
	  $(PYTEST) --rootdir . tests --durations=30 ) > $(TEST_LOGS)/platform.log 2>&1 & platform=$$!; \
	packages=0; for package in $(PACKAGES); do \
		echo "== pytest $$package/tests"; \
		$(PYTEST) --rootdir $$package $$package/tests || { packages=1; break; }; \
	done; \
	wait $$platform; platform_status=$$?; \
	cat $(TEST_LOGS)/platform.log; \
	if [ $$packages -ne 0 ] || [ $$platform_status -ne 0 ]; then \
		echo "unit-tests failed: packages $$packages, tests/ $$platform_status" >&2; exit 1; \
	fi

# Rewrite the nginx edge configuration from the gateway's route table.
edge-config: install
	$(BIN)/python -m kafaat.edge

# The API contract front-end teams generate their clients from: the merged OpenAPI document,
# dumped in-process (as GET /api/v1/openapi.json serves it), linted with Redocly's recommended
# rules and turned into TypeScript types that a small client compiles against with tsc --strict.
# The npm tools are pinned by tools/contract/package-lock.json (npm ci, rerun when it changes).
CONTRACT := tools/contract
CONTRACT_BIN := $(CONTRACT)/node_modules/.bin

$(CONTRACT)/node_modules/.package-lock.json: $(CONTRACT)/package.json $(CONTRACT)/package-lock.json
	cd $(CONTRACT) && npm ci --no-audit --no-fund --loglevel=error

# It also checks that the snapshot and changelog agree with the document (`kafaat.contract
# --check`) and that the committed client types (clients/typescript/api.d.ts) are the current
# document's; tsc compiles them with tools/contract/client.ts and the examples of
# docs/calling-the-api.md (tools/contract/examples.ts).
contract-check: install $(CONTRACT)/node_modules/.package-lock.json
	$(BIN)/python -m kafaat.contract --check
	$(BIN)/python -m kafaat.contract --output $(CONTRACT)/generated/openapi.json
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
		$(CONTRACT_BIN)/redocly lint --config redocly.yaml $(CONTRACT)/generated/openapi.json
	$(CONTRACT_BIN)/openapi-typescript $(CONTRACT)/generated/openapi.json \
		--output $(CONTRACT)/generated/api.d.ts
	$(BIN)/python -m kafaat.contract --types-from $(CONTRACT)/generated/api.d.ts --verify-types
	$(CONTRACT_BIN)/tsc --strict --noEmit --project $(CONTRACT)/tsconfig.json

# The TypeScript types of the API for front-end teams, regenerated into the repository from the
# merged document (commit clients/typescript/api.d.ts with the change that made it differ).
client: install $(CONTRACT)/node_modules/.package-lock.json
	$(BIN)/python -m kafaat.contract --output $(CONTRACT)/generated/openapi.json
	$(CONTRACT_BIN)/openapi-typescript $(CONTRACT)/generated/openapi.json \
		--output $(CONTRACT)/generated/api.d.ts
	$(BIN)/python -m kafaat.contract --types-from $(CONTRACT)/generated/api.d.ts

# The snapshot of the contract (docs/api/openapi.json) that `kafaat.contract --check` and
# tests/test_contract_stability.py compare the current document with: rewrite it after a change
# that is an addition, or one recorded in gateway/src/gateway/API-CHANGELOG.md.
contract-snapshot: install
	$(BIN)/python -m kafaat.contract --output docs/api/openapi.json

# The benchmarks also drive load with wrk (and run nginx, as the edge).
bench: install
	$(MAKE) --no-print-directory system-deps SYSTEM_TOOLS="$(SYSTEM_TOOLS) wrk:wrk"
	$(BIN)/python -m bench

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .tools var .mypy_cache .ruff_cache
