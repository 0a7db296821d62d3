# mattran: the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PORT   ?= 8000
BIN    := $(VENV)/bin
export MATTRAN_DATA_DIR ?= $(CURDIR)/var

.PHONY: demo test install install-dev assets lint format serve clean prod audit load

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Stamps: reinstall only when the dependency list changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

# Front-end packages come from the npm registry at install time (never a CDN).
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "Cần Node.js và npm để cài gói giao diện (apt-get install nodejs npm)"; exit 1; }
	npm ci --no-audit --no-fund --silent
	touch $@

install: $(VENV)/.installed node_modules/.installed
install-dev: $(VENV)/.installed-dev node_modules/.installed
assets: node_modules/.installed

# Development mode is opted into here (the settings default to production).
demo: export MATTRAN_DEBUG ?= 1
demo: install
	mkdir -p $(MATTRAN_DATA_DIR)
	$(BIN)/mattran migrate --noinput
	$(BIN)/mattran load_demo
	$(BIN)/mattran runserver 127.0.0.1:$(PORT)

# Runs every test on SQLite; with MATTRAN_TEST_DATABASE_URL set to a PostgreSQL
# URL, runs the same suite again on PostgreSQL. The tests run in PYTEST_WORKERS
# processes (pytest-xdist, a whole test module per process at a time, the longest
# first: tests/conftest.py); each has its own test database, data directory and Redis
# database (tests/workers.py). PYTEST_WORKERS=0 runs them all in one process.
PYTEST_WORKERS ?= 2
PYTEST_PARALLEL = $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder)

test: install-dev
	$(BIN)/ruff check src tests benchmarks scripts loadtest
	$(BIN)/ruff format --check src tests benchmarks scripts loadtest
	@# With a PostgreSQL pass to follow, the process-starting tests (marked `once`) run there only.
	MATTRAN_DATABASE_URL= MATTRAN_TEST_SKIP_ONCE=$(if $(MATTRAN_TEST_DATABASE_URL),1,) \
	  $(BIN)/pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)
	@if [ -n "$$MATTRAN_TEST_DATABASE_URL" ]; then \
	  echo "== PostgreSQL: $$MATTRAN_TEST_DATABASE_URL"; \
	  MATTRAN_DATABASE_URL="$$MATTRAN_TEST_DATABASE_URL" $(BIN)/pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS); \
	fi

# Production on one machine: gunicorn + job workers against PostgreSQL and Redis
# from the environment (see docs/production.md), e.g.
#   make prod MATTRAN_ENV_FILE=/etc/mattran/mattran.env
prod: install
	MATTRAN_BIN=$(CURDIR)/$(BIN) scripts/run-prod.sh

# Known vulnerabilities in the Python and npm packages: exit 1 when one is found.
# An audit that could not reach its advisory service prints "NOT RUN" (not a pass).
# npm audit reads package-lock.json; it needs no node_modules.
audit: install-dev
	$(BIN)/python scripts/audit.py

# Load test of the busiest hour against a production-configured instance on loopback
# (scratch PostgreSQL database LOAD_DATABASE_URL, Redis); see docs/production.md.
load: install-dev
	MATTRAN_BIN=$(CURDIR)/$(BIN) scripts/loadtest.sh

lint: install-dev
	$(BIN)/ruff check src tests benchmarks scripts loadtest

format: install-dev
	$(BIN)/ruff format src tests benchmarks scripts loadtest
	$(BIN)/ruff check --fix src tests benchmarks scripts loadtest

clean:
	rm -rf $(VENV) node_modules staticfiles
