# The one way to do routine work. `make demo` and `make test` are the README's quick start.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
PYTEST := $(BIN)/pytest
# Parallel across the machine's cores; each worker gets its own test database.
PYTEST_ARGS ?= -n auto
export OPENSPM_DATA_DIR ?= $(CURDIR)/var

.PHONY: install demo serve worker test test-pg browser system-deps check lint typecheck bench golden-update lock clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

lock: install
	$(BIN)/uv pip compile --quiet --python-version 3.11 --extra dev pyproject.toml -o requirements.lock

# Demo company on SQLite, then the web server and a background worker.
demo: install system-deps
	$(BIN)/openspm migrate --no-input
	$(BIN)/openspm demo --if-empty
	$(BIN)/openspm serve

serve: install
	$(BIN)/openspm serve

worker: install
	$(BIN)/openspm worker

# Debian packages: chromium for the browser tests, Pango and fonts for WeasyPrint's PDFs.
# Installed here when missing (needs root, as on CI and the developer machines).
SYSTEM_PACKAGES := chromium libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

test: install system-deps
	$(PYTEST) -p no:cacheprovider $(PYTEST_ARGS)

test-pg: install system-deps
	DATABASE_URL=$(PG_URL) $(PYTEST) -p no:cacheprovider $(PYTEST_ARGS)

browser: install system-deps
	$(PYTEST) -p no:cacheprovider -m browser

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy src

check: lint typecheck
	$(BIN)/openspm makemigrations --check --dry-run

bench: install
	$(BIN)/python -m benchmarks.engine
	$(BIN)/python -m benchmarks.pages
	$(BIN)/python -m benchmarks.app

golden-update: install
	OPENSPM_GOLDEN_UPDATE=1 $(PYTEST) -p no:cacheprovider tests/engine

clean:
	rm -rf $(VENV) var
