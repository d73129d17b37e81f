# Hongmian — every target bootstraps what it needs. `make demo` and `make test` are the two commands.
SHELL := /bin/bash
PYTHON ?= $(shell scripts/find-python)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# One test worker per core, at most 4 (each has its own test database and live server).
TEST_WORKERS ?= $(shell $(PYTHON) -c "import os; print(min(4, os.cpu_count() or 1))")

.PHONY: demo serve test test-fast lint format typecheck bench migrate seed assets clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Python 3.12 or 3.13 is needed (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check uv==0.13.8

# The venv is in step with the lock whenever uv.lock is newer than the stamp.
$(VENV)/.synced: uv.lock pyproject.toml | $(BIN)/python
	UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --frozen --python $(BIN)/python
	@touch $@

# Front-end assets come from the npm registry at build time and are served locally (no CDN).
hongmian/portal/static/vendor/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python -m hongmian.portal.vendor_assets node_modules hongmian/portal/static/vendor
	@touch $@

assets: hongmian/portal/static/vendor/.installed

venv: $(VENV)/.synced assets

migrate: venv
	$(BIN)/hongmian migrate --noinput

seed: migrate
	$(BIN)/hongmian seed_demo --if-empty

demo: seed
	$(BIN)/hongmian collectstatic --noinput -v0
	$(BIN)/hongmian demo_logins
	$(BIN)/hongmian run_all --host $(HOST) --port $(PORT)

test: venv
	$(BIN)/hongmian check --fail-level WARNING
	$(BIN)/hongmian makemigrations --check --dry-run
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --durations=15 $(PYTEST_ARGS)

test-fast: venv
	$(BIN)/pytest -m "not browser" -x -q $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: venv
	$(BIN)/mypy hongmian config

bench: venv
	@for b in bench/*/run.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) node_modules hongmian/portal/static/vendor staticfiles
