# Annotator — the two commands a new user needs are `make run` and `make test`.
# Everything is installed into .venv; the database is an embedded PostgreSQL under var/ unless
# DATABASE_URL is set.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium

# Development defaults; override them in the environment for anything else.
export DEBUG ?= 1
export PYTHONUNBUFFERED := 1

.PHONY: run manage test test-fast check lint format migrate seed db-stop chromium clean bench loadtest

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Annotator needs Python 3.11 or newer; found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

# The server and one job worker (exports, imports, agreement in the background) together;
# Ctrl+C stops both: the worker gets SIGINT with the server, and the trap stops it whichever
# of the two ends first.
run: migrate
	$(PY) manage.py seed_demo --show-logins http://$(HOST):$(PORT)/
	@$(PY) manage.py worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT; \
	trap 'exit 130' INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# Any management command with the development settings (DEBUG=1, as `make run`), e.g.
#   make manage ARGS="import_articles --project belarus-desk --format text seeds/articles/chirp-outage-2024-03-05.txt"
# Plain `.venv/bin/python manage.py …` runs with production's settings and asks for SECRET_KEY.
# Silent (@): the command's output is all that reaches stdout, so `--json | jq` and `> file` work.
manage: $(STAMP)
	@$(PY) manage.py $(ARGS)

chromium:
	@test -x $(CHROMIUM) || (echo "Installing Debian's chromium for the browser tests…" && apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

test: $(STAMP) chromium
	$(PY) -m pytest
	node --test static/js/tests/

# The inner loop: everything but the slow tiers (browser, server processes, fuzzing).
test-fast: $(STAMP)
	$(PY) -m pytest -m "not browser and not server and not fuzz"

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

check: lint test

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

db-stop: $(STAMP)
	$(PY) -c 'import django, os; os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings"); django.setup(); from django.conf import settings; from annotator.embedded import server; e = settings.DATABASES["default"].get("EMBEDDED"); print("stopped" if e and server.stop(e["data_dir"]) else "no embedded server running")'

# 50 analysts and an exporting manager against gunicorn on loopback (docs/performance.md).
loadtest: $(STAMP)
	$(PY) bench/loadtest.py $(LOADTEST_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
