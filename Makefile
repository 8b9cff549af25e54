# comercio — every gate is one command. Targets create and use a local virtual environment (.venv),
# so a fresh machine with Python 3.11 and make needs nothing else.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
SHARED ?= $(abspath ../shared/data)
export COMERCIO_MIRROR ?= $(if $(wildcard $(SHARED)),$(SHARED),)
export COMERCIO_SHARED_DATA ?= $(SHARED)
PYTEST_ARGS ?=

.PHONY: install demo twin test test-fast snapshots docs lint format bench clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

## demo: fetch official data (mirror or publishers), build the warehouse, write the report, serve the dashboard
demo: install
	$(BIN)/python -m comercio.demo

## twin: SUNAT's weekly microdata end to end on the synthetic twin (TWIN_ROWS lines, default 1e6; var/twin)
twin: install
	$(BIN)/python -m comercio.twin_demo

## test: the whole test suite, DuckDB and Spark engines, browser tests included
test: install
	$(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

test-fast: install
	$(BIN)/pytest -n 2 -m "not slow" $(PYTEST_ARGS)

## snapshots: re-record every rendered-artefact snapshot (tests marked `snapshots`) after a deliberate change;
## review the diff of tests/**/__snapshots__/ before committing it
snapshots: install
	$(BIN)/pytest -m snapshots --snapshot-update $(PYTEST_ARGS)

## docs: regenerate the generated pages (the fact catalogue: docs/facts.md, docs/facts.es.md)
docs: install
	$(BIN)/comercio facts list --format md --lang en --out docs/facts.md
	$(BIN)/comercio facts list --format md --lang es --out docs/facts.es.md

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix src tests
	$(BIN)/ruff format src tests

## bench: every benchmark part (BENCH_ARGS="--only regional --sizes 1e6" for a subset), JSON in bench/results/, tables in docs/benchmarks.md
bench: install
	$(BIN)/python -m comercio.bench $(BENCH_ARGS)

clean:
	rm -rf var reports .pytest_cache .mypy_cache .ruff_cache test-artifacts
