# tunegraph — the commands a newcomer needs. Everything runs from a local .venv.
#   make demo   crawl the bundled Spotify simulator → Neo4j → export → train → recommend
#   make test   lint (ruff, mypy) + the whole test suite (it starts and stops its own Neo4j)
#   make test-fast  the tests that need neither Neo4j nor TensorFlow (seconds; no Java)

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
TG      = $(BIN)/tunegraph

.PHONY: help install demo test test-fast lint format neo4j-start neo4j-stop neo4j-status bench clean

help:  ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

install: $(VENV)/.installed  ## create .venv and install tunegraph with its dev tools

# One line instead of pip's refusal (or a venv without pip) when $(PYTHON) cannot do it.
PYTHON_CHECK = import sys, importlib.util as u; v = "%d.%d" % sys.version_info[:2]; \
  sys.exit(f"tunegraph needs Python 3.11, 3.12 or 3.13 and $(PYTHON) is {v}: install one and run make install PYTHON=python3.13" \
  if not (3, 11) <= sys.version_info[:2] <= (3, 13) else \
  f"$(PYTHON) has no venv/ensurepip: install python{v}-venv (Debian, Ubuntu)" \
  if u.find_spec("ensurepip") is None else 0)

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c '$(PYTHON_CHECK)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --editable '.[dev]'
	touch $@

demo: install  ## the main job end to end on the simulator (or Spotify: credentials + SEED=URL)
	$(TG) demo $(if $(SEED),--seed-playlist "$(SEED)")

test: lint  ## lint (ruff, mypy), then pytest against a real Neo4j started by the suite
	$(BIN)/pytest

test-fast: install  ## the quick loop: no Neo4j, no TensorFlow, under a minute
	$(BIN)/pytest -m "not neo4j and not tensorflow" -q

lint: install  ## ruff (check and format) and the mypy type check
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

format: install  ## apply ruff's formatting and safe fixes
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

neo4j-start: install  ## start the local Neo4j (bolt://127.0.0.1:7687, user neo4j / tunegraph)
	$(TG) neo4j start

neo4j-stop: install  ## stop it (the data stays)
	$(TG) neo4j stop

neo4j-status: install  ## which local Neo4j instances run where
	$(TG) neo4j status

bench: install  ## every benchmark under benchmarks/ (minutes; prints the figures)
	@for b in benchmarks/[!_]*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:  ## remove the virtual environment and caches (not Neo4j data)
	rm -rf $(VENV) .pytest_cache .ruff_cache src/*.egg-info
