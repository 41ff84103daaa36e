# Lantern: `make run` starts the server, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench clean messages untranslated

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

run: $(BIN)/.installed
	$(BIN)/python -m app serve

# Installs what the browser and scale-out tests need (Chromium, Redis; PostgreSQL if absent),
# then runs every test; the tests start and stop their own servers. Two workers, a test file
# each at a time (a file's tests share its server and browser): about 12 minutes on two
# cores; TEST_WORKERS=0 runs them in one process (about 21).
TEST_WORKERS ?= 2
test: $(BIN)/.installed
	bash .ci/system-deps.sh
	$(BIN)/python -m pytest -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

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

# Extract every message the code uses into app/locale/messages.pot, and bring each language's
# catalog up to date with it (a test fails while the template is out of date).
messages: $(BIN)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k t -k nt:1,2 -k N_ -k _ --add-location=file --sort-output \
		--omit-header -o app/locale/messages.pot .
	for po in app/locale/*/LC_MESSAGES/messages.po; do \
		lang=$$(basename $$(dirname $$(dirname "$$po"))); \
		$(BIN)/pybabel update -i app/locale/messages.pot -o "$$po" -l "$$lang" \
			--no-fuzzy-matching --ignore-obsolete || exit 1; \
	done

# Lists every message still without a translation in each language (after `make messages`):
# the test that keeps every language whole.
untranslated: $(BIN)/.installed
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_catalog_welsh.py -k every_message
