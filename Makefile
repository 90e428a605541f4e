# The two commands a newcomer needs: `make serve` and `make test`.
# Each creates the virtual environment and installs what it needs first: `make serve` the project alone,
# `make test` the project and its test tools.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8080
# Every IRI is minted under BASE at build time, so `make serve PORT=N` builds for port N.
BASE   ?= http://localhost:$(PORT)/
DIST   ?= dist
RUNTIME_STAMP := $(VENV)/.runtime-stamp
TEST_STAMP    := $(VENV)/.test-stamp

.PHONY: install install-runtime build validate serve test lint bench vendor clean

$(RUNTIME_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(RUNTIME_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install-runtime: $(RUNTIME_STAMP)

install: $(TEST_STAMP)

validate: install-runtime
	$(BIN)/lodpub validate

build: install-runtime
	$(BIN)/lodpub build --base $(BASE) --dist $(DIST)

serve: build
	$(BIN)/lodpub serve --host $(HOST) --port $(PORT) --base $(BASE) --dist $(DIST)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests

# The benchmark (see bench/run.py): installs its own tools, not needed by `make test`.
# `make bench SIZE=1m` (tiny, 100k, 1m, 10m); the table lands in bench/out/SIZE/results.md and docs/benchmark.md.
SIZE  ?= 100k
PEERS := bench/out/peers

$(PEERS)/.installed-stamp:
	$(PYTHON) -m venv $(PEERS)
	$(PEERS)/bin/python -m pip install --quiet --upgrade pip
	$(PEERS)/bin/python -m pip install --quiet oxigraph 'rdflib-endpoint[cli]' uvicorn
	touch $@

bench: install $(PEERS)/.installed-stamp
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && (apt-get install -y -q wrk || (apt-get update -q && apt-get install -y -q wrk)) \
		|| sudo apt-get install -y -q wrk || echo "wrk could not be installed: requests/s will be missing"; }
	$(BIN)/python -m bench.run --size $(SIZE) --readme

# The query editor (YASGUI's YASQE and YASR) is vendored under src/lodpub/web/static/vendor/; this refreshes
# it from the npm registry (needs npm; `make vendor YASGUI_VERSION=x.y.z` for another release).
vendor:
	bash scripts/vendor-yasgui.sh $(YASGUI_VERSION)

clean:
	rm -rf dist .lodpub-cache
