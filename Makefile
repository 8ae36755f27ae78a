# Tandem: `make run` sets up and starts Tandem with demo data; `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# uv from PATH when it works, otherwise installed once for this user with pip.
UV := $(shell if uv --version >/dev/null 2>&1; then echo uv; elif python3 -m uv --version >/dev/null 2>&1; then echo "python3 -m uv"; fi)
ifeq ($(UV),)
UV := python3 -m uv
UV_MISSING := 1
endif
PYTHON := $(UV) run --locked python
MANAGE := $(PYTHON) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite runs on every core (pytest-xdist); PYTEST_ARGS="-n 0 -x" runs it in one process.
PYTEST_ARGS ?= -n auto

.PHONY: help uv deps frontend migrate demo run serve worker test lint checks pytest code clean var

help:
	@echo "make run    set up everything and start Tandem with demo data at http://$(HOST):$(PORT)"
	@echo "make test   lint and run the whole test suite (browser tests included)"
	@echo "make code EMAIL=coordinator@tandem.example   print a demo account's current code"
	@echo "make serve  production server (gunicorn, production settings; see README: Configuration)"
	@echo "make worker the background task worker, as its own process"

uv:
ifdef UV_MISSING
	@echo "Installing uv for this user with pip…"
	python3 -m pip install --user --quiet uv || python3 -m pip install --user --quiet --break-system-packages uv
endif
	@$(UV) --version

deps: uv
	$(UV) sync --locked

frontend:
	cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run build

var:
	mkdir -p var/static

migrate: deps var
	$(MANAGE) init_local_keys
	$(MANAGE) migrate --noinput

demo: migrate
	$(MANAGE) demo_data

run: deps frontend demo
	@echo ""
	@echo "Tandem is starting at http://$(HOST):$(PORT), with a task worker beside it  (Ctrl+C to stop)"
	@$(MANAGE) db_worker --no-reload --verbosity 0 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT; \
	  $(MANAGE) runserver $(HOST):$(PORT)

# Production: gunicorn under config.settings.production, with the environment the README
# lists (DATABASE_URL, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, the key variables…).
PROD := DJANGO_SETTINGS_MODULE=config.settings.production

serve: deps frontend var
	$(PROD) $(MANAGE) check --deploy --fail-level WARNING
	$(PROD) $(MANAGE) collectstatic --noinput --verbosity 0
	$(PROD) $(MANAGE) migrate --noinput
	$(PROD) $(UV) run --locked gunicorn -c config/gunicorn.conf.py config.wsgi:application

# The task worker (emails, notifications, alerts) as its own process; production sets
# DJANGO_SETTINGS_MODULE=config.settings.production and the README's environment.
worker: deps
	$(MANAGE) db_worker --no-reload

code:
	@$(MANAGE) totp_code $(EMAIL)

lint: deps
	$(UV) run --locked ruff check .
	$(UV) run --locked ruff format --check .
	$(UV) run --locked lint-imports --no-logo

checks: deps var
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) access_matrix --check
	DJANGO_SETTINGS_MODULE=config.settings.production DJANGO_SECRET_KEY=check-deploy-$$(head -c 32 /dev/urandom | base64 | tr -dc A-Za-z0-9) \
	  TANDEM_KEKS="1:$$(head -c 32 /dev/urandom | base64)" TANDEM_KEK_CURRENT=1 \
	  TANDEM_BLIND_INDEX_KEY="$$(head -c 32 /dev/urandom | base64)" DJANGO_ALLOWED_HOSTS=tandem.example.org \
	  $(MANAGE) check --deploy --fail-level WARNING

pytest: deps
	$(UV) run --locked pytest $(PYTEST_ARGS)

test: lint frontend checks pytest

clean:
	rm -rf var frontend/dist frontend/node_modules .pytest_cache
