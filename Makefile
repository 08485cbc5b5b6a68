# Quick start: `make demo` serves the sample site; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BROADSHEET := $(BIN)/broadsheet
PORT ?= 8000

.PHONY: demo test install install-dev lint typecheck pytest clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools

# The demo installs the package alone (SQLite, file cache); the dev extra adds every driver.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

# axe-core for the accessibility tests, from npm when npm is here (the tests that need it
# skip without it, except under CI=true).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the accessibility tests will be skipped"; fi

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev node_modules/.installed

demo: install
	$(BROADSHEET) migrate --noinput
	$(BROADSHEET) demo-content
	@echo
	@echo "  Broadsheet demo: http://127.0.0.1:$(PORT)/"
	@echo "  Admin:           http://127.0.0.1:$(PORT)/admin/"
	@cat var/demo-login.txt
	@echo
	@# The worker sends queued mail and runs daily maintenance; it stops with the server.
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BROADSHEET) worker & worker=$$!; \
	DEBUG=true SITE_NAME="$${SITE_NAME:-The Northgate Courier}" $(BROADSHEET) serve --port $(PORT)

lint: install-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

typecheck: install-dev
	$(BIN)/mypy src

pytest: install-dev
	$(BIN)/pytest

test: lint typecheck pytest

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
