# Everything a new user needs: `make run` serves the catalog, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

# Production (`make serve`): debug off unless the environment says otherwise; everything else
# (secret key, hosts, DATABASE_URL, REDIS_URL…) from the environment: docs/deploy.md.
PROD := DJANGO_DEBUG=$${DJANGO_DEBUG:-false}

.PHONY: install run test lint migrate seed check clean serve collectstatic deploy-check

# The browser tests inject axe-core from npm (package.json, package-lock.json): installed when npm is here.
NPM := $(shell command -v npm 2>/dev/null)
NODE_STAMP := node_modules/.installed

install: $(STAMP) $(if $(NPM),$(NODE_STAMP))

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(NODE_STAMP): package.json $(wildcard package-lock.json)
	if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
	touch $(NODE_STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py load_seed
	$(BIN)/python manage.py import_modelsdev

run: seed
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

check: install
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

test: check
	$(BIN)/python -m pytest

# ruff (settings in pyproject.toml); CI runs it before the tests.
lint: install
	$(BIN)/ruff check .

collectstatic: install
	$(PROD) $(BIN)/python manage.py collectstatic --noinput --verbosity 0

deploy-check: install
	$(PROD) $(BIN)/python manage.py check --deploy --fail-level WARNING

# gunicorn with production settings (config/gunicorn.py). Run `make migrate` once per release first.
serve: deploy-check collectstatic
	$(PROD) exec $(BIN)/gunicorn --config config/gunicorn.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles node_modules test-artifacts
