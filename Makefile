# make run | make test | make bench — each creates .venv when it is missing.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench check clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed (set PYTHON=...)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	# The project itself, editable: registers `flask content ...` as a Flask CLI plugin (pyproject.toml).
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/flask --app app content check
	$(BIN)/flask --app app db upgrade
	$(BIN)/flask --app app run --host 127.0.0.1 --port 5000

# The suite runs on one process per core (at most four; PYTEST_WORKERS=0 runs it in this one).
PYTEST_WORKERS ?= auto

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/flask --app app content check --strict
	$(BIN)/pytest -n $(PYTEST_WORKERS) --maxprocesses 4

bench: $(STAMP)
	$(BIN)/python -m bench

check: $(STAMP)
	$(BIN)/flask --app app content check --strict

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis test-artifacts
