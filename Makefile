# Kompas — `make run` starts the bot locally, `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 3978

.DEFAULT_GOAL := help
.PHONY: help setup migrate run chat test lint typecheck pytest bench clean

help: ## show this help
	@echo "Kompas make targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP) ## create .venv and install Kompas with its dev tools

migrate: setup ## create or upgrade the database (DATABASE_URL, default data/kompas.db)
	$(BIN)/kompas migrate

run: migrate ## start Kompas in dev mode on 127.0.0.1:3978 (SQLite, sample content)
	$(BIN)/kompas serve --dev --host $(HOST) --port $(PORT)

chat: migrate ## talk to Kompas in the terminal
	$(BIN)/kompas chat

lint: setup ## ruff
	$(BIN)/ruff check .

typecheck: setup ## mypy
	$(BIN)/mypy

pytest: setup ## the test suite on SQLite, and on PostgreSQL when KOMPAS_TEST_DATABASE_URL is set
	env -u KOMPAS_TEST_DATABASE_URL $(BIN)/python -m pytest -q
	@if [ -n "$$KOMPAS_TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL ($$KOMPAS_TEST_DATABASE_URL)"; \
		$(BIN)/python -m pytest -q; \
	fi

test: lint typecheck pytest ## set up, then ruff, mypy and the whole test suite

bench: setup ## run the benchmarks (they print numbers; see bench/RESULTS.md)
	$(BIN)/python bench/qa_accuracy.py

clean: ## remove the virtualenv, caches and the local database
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache data dist
