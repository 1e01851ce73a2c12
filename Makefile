# AAR — the commands the README names. `make help` lists them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEV_ENV := DEBUG=1
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install test-tools run demo test check lint typecheck imports requirements worker beat web bench clean

help:
	@echo "make run          set up, migrate, load demo data and serve http://$(HOST):$(PORT) (SQLite, in-process tasks)"
	@echo "make test         set up and run the test suite (SQLite unless DATABASE_URL says otherwise)"
	@echo "make check        ruff, format check, mypy --strict, import rules, migrations check, deploy check"
	@echo "make web          gunicorn with uvicorn workers: pages, polls and the meeting's push stream on http://$(HOST):$(PORT)"
	@echo "make worker/beat  a Celery worker / the beat scheduler (needs REDIS_URL)"
	@echo "make bench        the benchmarks in tests/benchmarks (see README)"
	@echo "make requirements recompile the pinned requirements files (needs pip-tools)"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements/base.txt requirements/dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/base.txt -r requirements/dev.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --no-input
	$(DEV_ENV) $(BIN)/python manage.py seed_demo
	$(DEV_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Test tools from the npm registry (axe-core for the accessibility test, vnu-jar for the HTML
# check, which runs on Java, Lighthouse for the pages' scores, oidc-provider for the OpenID
# Connect provider the single sign-on tests sign in through, on Node), pinned in package.json;
# without npm those tests are skipped locally (CI has npm, Node and Java and requires them).
node_modules/.aar-test-tools: package.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --no-package-lock --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the accessibility, HTML and single sign-on checks will be skipped"; fi

test-tools: node_modules/.aar-test-tools

test: install test-tools
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

imports: install
	DEBUG=1 $(BIN)/lint-imports --no-cache

typecheck: install
	DEBUG=1 $(BIN)/mypy aar_project reviews actions dashboard api

check: lint typecheck imports
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	DEBUG=0 SECRET_KEY=check-deploy-secret-key-that-is-long-and-random-enough-0123456789 \
	  ALLOWED_HOSTS=aar.example.com SITE_URL=https://aar.example.com USE_X_FORWARDED_PROTO=1 \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

worker: install
	$(BIN)/celery -A aar_project worker --loglevel=INFO

beat: install
	$(BIN)/celery -A aar_project beat --loglevel=INFO --schedule var/celerybeat-schedule

web: install
	$(BIN)/python manage.py collectstatic --no-input -v0
	GUNICORN_BIND=$(HOST):$(PORT) $(BIN)/gunicorn aar_project.asgi:application --config aar_project/gunicorn.conf.py

bench: install
	$(BIN)/python -m tests.benchmarks

requirements:
	cd requirements && pip-compile --quiet --no-header --generate-hashes --no-emit-index-url --no-emit-find-links --allow-unsafe -o base.txt base.in
	cd requirements && pip-compile --quiet --no-header --generate-hashes --no-emit-index-url --no-emit-find-links --strip-extras --allow-unsafe -o dev.txt dev.in

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .mypy_cache .ruff_cache
