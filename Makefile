# Positionen: `make run` serves the app, `make test` checks everything. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
PYTEST_ARGS ?=

STREAMLIT_FLAGS := --server.port $(PORT) --server.address localhost --server.headless true \
	--server.enableXsrfProtection true --client.showErrorDetails none \
	--server.maxUploadSize 50 --browser.gatherUsageStats false

.PHONY: run test lint bench system-deps clean

$(BIN)/python:
	./scripts/ensure-venv-support.sh $(PYTHON)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Pinned, hashed locks (see README.md, "Dependencies"); then the project itself, which pip
# builds with setuptools from PyPI (an editable install cannot be hash-checked).
$(VENV)/.installed: requirements.lock requirements.in pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev-installed: requirements-dev.lock $(VENV)/.installed
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

run: $(VENV)/.installed
	$(BIN)/positionen migrate
	$(BIN)/positionen demo --if-empty
	$(BIN)/streamlit run serve.py $(STREAMLIT_FLAGS)

system-deps:
	./scripts/install-system-deps.sh

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# Browser, LibreOffice and PostgreSQL tests must run: under POSITIONEN_STRICT_TESTS a skip fails.
test: system-deps lint
	POSITIONEN_STRICT_TESTS=1 $(BIN)/pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
