# The two commands of the README: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv venv-dev lint messages bench-import clean

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' || \
	  { echo "Python 3.12 atau lebih baru diperlukan ($(PYTHON) adalah $$($(PYTHON) --version))."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.runtime: $(VENV)/bin/python requirements.lock
	$(PY) -m pip install --quiet -r requirements.lock
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.lock
	$(PY) -m pip install --quiet -r requirements-dev.lock
	@touch $@

venv: $(VENV)/.runtime
venv-dev: $(VENV)/.dev

# Serve the demo portal: SQLite, a Celery worker on the file-system transport with the
# scheduled jobs embedded (-B: beat, e.g. the 06:00 reminders), demo data.
run: export PEKPPP_DEV = 1
# Links and QR codes (survey posters, certificates, mails) point at the address served here,
# unless SITE_URL is set.
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: venv
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_instruments
	$(PY) manage.py seed_demo
	@$(PY) -m celery -A pekppp worker --pool=solo -B --schedule=var/celerybeat-schedule \
	  --loglevel=WARNING --logfile=var/celery-worker.log & \
	  worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  echo "Worker Celery berjalan (log: var/celery-worker.log). Portal: http://$(HOST):$(PORT)/"; \
	  $(PY) manage.py runserver $(HOST):$(PORT)

# The whole suite. SQLite unless DATABASE_URL / REDIS_URL point at PostgreSQL and Redis.
test: export PEKPPP_DEV = 1
test: venv-dev
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

lint: venv-dev
	$(VENV)/bin/ruff check .

# Recompile translations after editing locale/*/LC_MESSAGES/django.po (needs gettext).
messages: venv
	PEKPPP_DEV=1 $(PY) manage.py makemessages -l id -l en --ignore=.venv --ignore=var
	PEKPPP_DEV=1 $(PY) manage.py compilemessages --ignore=.venv

bench-import: venv-dev
	$(PY) bench/import_units.py

clean:
	rm -rf var
