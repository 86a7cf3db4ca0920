PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint install clean check

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/o2o demo $(if $(PORT),--port $(PORT))

# the suite runs in TEST_WORKERS processes (pytest-xdist): much of it waits on PostgreSQL, Chromium and
# subprocesses, so 3 keep 2 cores busy; TEST_WORKERS=0 runs it in one process
TEST_WORKERS ?= 3

test: $(STAMP) lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports --no-cache > /dev/null || $(BIN)/lint-imports --no-cache

check: $(STAMP)
	$(BIN)/o2o check

clean:
	rm -rf $(VENV) var .pytest_cache
