# Veille: the two commands are `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS_TEST_URL ?= redis://127.0.0.1:6379/12

.PHONY: run test test-sqlite test-services venv lint format screenshots bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

# Embedded demo: SQLite, no Redis (Celery on the filesystem transport), demo data,
# the phone simulator at http://127.0.0.1:8000/simulator/.
run: venv
	$(PY) scripts/make_env.py .env
	$(PY) manage.py demo_setup
	$(PY) manage.py demo_serve

# The whole suite: SQLite first, then PostgreSQL + Redis (real worker, real broker).
test: venv
	$(PY) -m ruff check .
	$(PY) manage.py makemigrations --check --dry-run --settings=veille.test_settings >/dev/null
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-services

test-sqlite: venv
	@echo "== Test suite on SQLite (embedded default)"
	$(PY) -m pytest -p no:cacheprovider

test-services: venv
	@if $(PY) scripts/services_up.py "$(PG_TEST_URL)" "$(REDIS_TEST_URL)"; then \
		echo "== Test suite on PostgreSQL + Redis"; \
		DATABASE_URL="$(PG_TEST_URL)" REDIS_URL="$(REDIS_TEST_URL)" $(PY) -m pytest -p no:cacheprovider -m "not backend_independent"; \
	elif [ -n "$$CI" ]; then \
		echo "PostgreSQL or Redis is down and CI=true: failing."; exit 1; \
	else \
		echo "!! PostgreSQL ($(PG_TEST_URL)) or Redis ($(REDIS_TEST_URL)) unreachable:"; \
		echo "!! the PostgreSQL + Redis run was NOT done. Start them, or set PG_TEST_URL / REDIS_TEST_URL."; \
	fi

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: venv
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

screenshots: venv
	$(PY) tests/browser/screenshots.py

bench: venv
	$(PY) benchmarks/run.py all --quick

clean:
	rm -rf var staticfiles .pytest_cache
