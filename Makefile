# The two commands of the README:
#   make run   – a working portal with demo data on http://127.0.0.1:8000 (SQLite, eager Celery)
#   make test  – the whole suite on the local PostgreSQL and Redis, set-up included
# Everything else here is a step of those two.

SHELL := /bin/bash
PYTHON ?= python3.11
UV_VERSION := 0.13.0
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

PGHOST ?= 127.0.0.1
PGPORT ?= 5432
PGUSER ?= postgres
TEST_DB ?= portal
TEST_DATABASE_URL ?= postgres://$(PGUSER)@$(PGHOST):$(PGPORT)/$(TEST_DB)
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
SYSTEM_PACKAGES := chromium docker-compose gettext postgresql-client redis-tools redis-server libharfbuzz-subset0

.PHONY: run test setup venv node messages system-packages services test-db lint worker clean

# make run serves static files as production does: collected, hashed and compressed
# (collectstatic runs again only when a static source changed).
run: setup staticfiles/staticfiles.json
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py recompute_status
	@echo "Portal: http://127.0.0.1:8000/  (demo users and password: see README.md)"
	SERVE_COLLECTED_STATIC=1 $(PY) manage.py runserver 127.0.0.1:8000

# Two processes on two cores (pytest-xdist): each module runs whole in one of them (its world
# built once), the browser tests all in one (one Chromium), the real-Celery-worker tests all
# in one; longest groups first, the demo loaded once per run, each process's test database
# copied from a template of a migrated one that runs keep (PYTEST_ARGS=--create-db builds it
# from the migrations again), one Chromium per process for the PDFs' charts
# (tests/conftest.py, docs/testing.md).
# Bytecode is written even where the environment turns it off: every run and each process
# would otherwise compile (and assertion-rewrite) every module again (docs/testing.md).
TEST_PROCESSES ?= 2

test: setup system-packages services test-db
	PYTHONDONTWRITEBYTECODE= DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
	  $(PY) -m pytest -n $(TEST_PROCESSES) --dist loadgroup $(PYTEST_ARGS)

setup: venv node messages

# Browser packages (Plotly's basic bundle) from the npm registry, exactly as package-lock.json
# pins them; served from node_modules/ by portal/staticfinders.py, never copied into git.
node: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo -n"; \
	  $$SUDO apt-get update -q >/dev/null && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs npm >/dev/null; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

STATIC_SOURCES := $(shell find static -type f) package-lock.json uv.lock

staticfiles/staticfiles.json: $(STATIC_SOURCES) | setup
	SERVE_COLLECTED_STATIC=1 $(PY) manage.py collectstatic --noinput --clear -v 0

# uv installs exactly what uv.lock pins; uv itself comes from PyPI into .tools/.
$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

venv: $(UV)
	$(UV) sync --frozen --python $(PYTHON) --quiet

messages: venv
	$(PY) manage.py compilemessages --ignore=.venv --ignore=.tools -v 0

# Debian packages the tests need (browser tests, compose validation, msgfmt, psql).
system-packages:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo -n"; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing >/dev/null \
	  || { $$SUDO apt-get update -q >/dev/null && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing >/dev/null; }; \
	fi

# Start PostgreSQL and Redis if this machine has them installed but stopped.
services:
	@pg_isready -q -h $(PGHOST) -p $(PGPORT) || { command -v pg_ctlcluster >/dev/null && pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start; sleep 2; }
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no
	@pg_isready -h $(PGHOST) -p $(PGPORT) >/dev/null || { echo "PostgreSQL is not reachable on $(PGHOST):$(PGPORT)"; exit 1; }
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "Redis is not reachable on 127.0.0.1:6379"; exit 1; }

test-db:
	@psql -h $(PGHOST) -p $(PGPORT) -U $(PGUSER) -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$(TEST_DB)'" | grep -q 1 \
	  || psql -h $(PGHOST) -p $(PGPORT) -U $(PGUSER) -d postgres -qc "CREATE DATABASE $(TEST_DB)"

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# A worker and beat against Redis, for running the production-like setup by hand.
worker: setup
	$(VENV)/bin/celery -A portal worker --loglevel=INFO

clean:
	rm -rf $(VENV) $(TOOLS) node_modules staticfiles .pytest_cache .ruff_cache
