# The two commands a newcomer needs: `make serve` and `make test`.
# Each creates the virtual environment and installs the project first.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8080

.PHONY: install build validate serve test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

validate: install
	$(BIN)/lodpub validate

build: install
	$(BIN)/lodpub build

serve: build
	$(BIN)/lodpub serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests

# The benchmark (see bench/run.py): installs its own tools, not needed by `make test`.
# `make bench SIZE=1m` (tiny, 100k, 1m, 10m); the table lands in bench/out/SIZE/results.md and README.md.
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

clean:
	rm -rf dist .lodpub-cache
