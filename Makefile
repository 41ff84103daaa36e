# Lantern: `make run` starts the server, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

run: $(BIN)/.installed
	$(BIN)/python -m app serve

# Installs what the browser and scale-out tests need (Chromium, Redis; PostgreSQL if absent),
# then runs every test; the tests start and stop their own servers.
test: $(BIN)/.installed
	bash .ci/system-deps.sh
	$(BIN)/python -m pytest -p no:cacheprovider $(PYTEST_ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check app tests bench migrations
	$(BIN)/ruff format --check app tests bench migrations
	$(BIN)/mypy app
	$(BIN)/lint-imports --no-cache

bench: $(BIN)/.installed
	bash .ci/system-deps.sh
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) data test-artifacts
