# Kompas — `make run` starts the bot locally, `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 3978
# Test processes (pytest-xdist, a test file per process at a time): most tests wait on
# sockets, subprocesses and clocks rather than compute, so more processes than cores help.
TEST_WORKERS ?= 3
PG_TEST_WORKERS ?= 2

.DEFAULT_GOAL := help
.PHONY: help setup migrate run chat test lint typecheck browser pytest bench clean

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

browser: ## install Debian's Chromium for the digest page's browser test (needs root and apt)
	@if [ -x /usr/bin/chromium ]; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "installing chromium for the browser test"; \
		apt-get update -qq >/dev/null && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "no /usr/bin/chromium: the browser test will be skipped (it fails on CI)"; fi
	@if [ tests/cards/node_modules/.package-lock.json -nt tests/cards/package-lock.json ]; then :; \
	elif command -v npm >/dev/null 2>&1; then \
		echo "installing Microsoft's adaptivecards renderer for the card test"; \
		npm ci --prefix tests/cards --no-audit --no-fund --loglevel=error; \
	elif [ "$$CI" = true ]; then echo "npm is missing: the card renderer test needs it on CI" >&2; exit 1; \
	else echo "no npm: the card renderer test will be skipped (it fails on CI)"; fi

pytest: setup browser ## the test suite on SQLite, and its database tests also on PostgreSQL when KOMPAS_TEST_DATABASE_URL is set
	@if [ -n "$$KOMPAS_TEST_DATABASE_URL" ]; then \
		echo "== the suite on SQLite and its database tests on PostgreSQL ($$KOMPAS_TEST_DATABASE_URL), side by side"; \
		env -u KOMPAS_TEST_DATABASE_URL $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile > .pytest-sqlite.log 2>&1 & lite=$$!; \
		$(BIN)/python -m pytest -q -n $(PG_TEST_WORKERS) --dist loadfile --database-tests-only > .pytest-postgresql.log 2>&1; pg=$$?; \
		wait $$lite; lite=$$?; \
		echo "== SQLite"; cat .pytest-sqlite.log; \
		echo "== PostgreSQL"; cat .pytest-postgresql.log; \
		test $$lite -eq 0 && test $$pg -eq 0; \
	else \
		$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile; \
	fi

test: lint typecheck pytest ## set up, then ruff, mypy and the whole test suite

bench: setup ## run the quick benchmarks (they print numbers; see bench/RESULTS.md)
	$(BIN)/python bench/qa_accuracy.py
	$(BIN)/python bench/qa_accuracy.py --questions tests/data/qa_holdout.jsonl
	$(BIN)/python bench/redaction.py
	$(BIN)/python bench/fanout.py --recipients 2000 --rate 200
	$(BIN)/python bench/digest.py --people 2000 --months 6
	$(BIN)/python bench/slow_clients.py --connections 1100 --seconds 20
	$(BIN)/python bench/teams_sdk.py --turns 200
	$(BIN)/python bench/cases.py

clean: ## remove the virtualenv, caches and the local database
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache data dist
