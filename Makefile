# Two commands on a fresh machine with Python 3.11: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(PYTHON) -m uv
PY := .venv/bin/python
export UV_PROJECT_ENVIRONMENT := .venv
# These machines set PYTHONDONTWRITEBYTECODE=1: every process (each test run, each Celery
# worker and live server a test starts, each bench) then compiled Django, Celery and the
# project from source again, a fifth of the suite's CPU. Bytecode is written once here.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: install system-deps test-tools axe demo test test-fast lint format bench bench-smoke services-stop clean

## install: uv (with pip, if missing), the locked environment, and the system libraries
install: system-deps
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --frozen --quiet

# WeasyPrint needs Pango; Debian's packages are installed only where they are missing.
system-deps:
	@if ! ldconfig -p 2>/dev/null | grep -q libpango-1.0; then \
		echo "Installing Pango for WeasyPrint (apt-get)"; \
		apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null; \
	fi

# Test tools from Debian, installed only where missing: Chromium for the browser tests (no
# browser download is possible here), docker-compose to check docker-compose.yml.
TEST_TOOLS := $(if $(wildcard /usr/bin/chromium),,chromium) $(if $(wildcard /usr/bin/docker-compose),,docker-compose)
# SoftHSM2: a real PKCS#11 module for the test of the seal's key in an HSM (issue 26).
TEST_TOOLS += $(if $(wildcard /usr/bin/softhsm2-util),,softhsm2)
test-tools:
	@if [ -n "$(strip $(TEST_TOOLS))" ]; then \
		echo "Installing $(strip $(TEST_TOOLS)) (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(TEST_TOOLS) >/dev/null; \
	fi

# axe-core (accessibility checks injected by the browser tests), pinned, from npm, under var/.
AXE_VERSION := 4.14.1
AXE := var/node/node_modules/axe-core/axe.min.js
axe: $(AXE)
$(AXE):
	npm install --prefix var/node --no-save --no-audit --no-fund axe-core@$(AXE_VERSION)

## demo: PostgreSQL, Redis, web, worker and beat, with demo data; Ctrl-C stops everything
demo: install
	$(PY) -m portal.demo

# The suite runs on one more worker than the machine has cores (pytest-xdist; PYTEST_WORKERS=0:
# in one process): part of it waits on processes it started (Celery workers, Chromium, a
# stopped Redis), so a third worker on 2 cores took the idle time (pytest 344 s with 2, 316 s
# with 3, 344 s with 4). Each worker has its own database, Redis cache database, Celery queue
# and media folder (README, "Tests").
PYTEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
PYTEST := $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup

## test: lint, the whole suite on real PostgreSQL and Redis, then every bench at smoke size
test: install test-tools axe lint
	$(PY) -m portal.embedded run -- $(PYTEST) $(PYTEST_ARGS)
	$(MAKE) --no-print-directory bench-smoke

## test-fast: only the tests PYTEST_ARGS names (make test-fast PYTEST_ARGS=tests/sve), no
## install, lint or benches; the test databases are kept for the next run (--reuse-db)
test-fast:
	$(PY) -m portal.embedded run -- $(PYTEST) --reuse-db $(PYTEST_ARGS)

lint:
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format:
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

# Every bench script (helpers start with "_"; pages_wsgi.py is the application pages.py serves);
# all run, then the run fails if one failed.
BENCH_SCRIPTS := $(filter-out bench/pages_wsgi.py,$(wildcard bench/[!_]*.py))
define BENCH_RUN
failed=""; for script in $(BENCH_SCRIPTS); do \
	echo "# $$script"; started=$$(date +%s); \
	$(PY) $$script || failed="$$failed $$script"; \
	echo "# $$script: $$(( $$(date +%s) - started )) s"; \
done; \
if [ -n "$$failed" ]; then echo "bench scripts failed:$$failed"; exit 1; fi
endef

## bench: every script of bench/, one figure a line (on an idle machine)
bench: install
	$(PY) -m portal.embedded run -- bash -c '$(BENCH_RUN)'

## bench-smoke: every script at a small size (BENCH_SMOKE=1): they run and print every figure
bench-smoke: install
	BENCH_SMOKE=1 $(PY) -m portal.embedded run -- bash -c '$(BENCH_RUN)'

services-stop:
	$(PY) -m portal.embedded stop

clean: services-stop
	rm -rf var .venv
