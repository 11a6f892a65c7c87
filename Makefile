# smokkelradar — two commands for a fresh machine: `make run` and `make test`.
# Everything below is idempotent: a second run skips what is already installed.

SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
SR := $(BIN)/smokkelradar
STAMP := $(VENV)/.installed

# The demo: its configuration (which names the Elasticsearch and SMTP ports and
# the data folder) and the port of the demo web its sources point at.
DEMO_CONFIG := config/demo/radar.yaml
DEMO_DATA := .data/demo
DEMO_ES_PORT := 9250
DEMO_WEB_PORT := 8950
export SMOKKELRADAR_DEMO_WEB := http://127.0.0.1:$(DEMO_WEB_PORT)

# The test services: a separate Elasticsearch node so tests never touch demo data.
TEST_DATA := .data/test
TEST_ES_PORT := 9251

.PHONY: help setup chromium es run serve stop test lint format clean

help:
	@echo "make run    install, start Elasticsearch + demo web + demo mailbox, run one demo cycle"
	@echo "make test   install, start the test services, run lint and the whole suite, stop them"
	@echo "make serve  keep the scheduler running on the demo configuration"
	@echo "make stop   stop every service make run started"

# --- installation -----------------------------------------------------------

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Debian's Chromium serves Playwright (never `playwright install`: no downloads at run time).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "Debian's chromium is missing: run 'sudo apt-get install chromium'"; exit 1; fi; \
	fi

setup: $(STAMP) chromium
	@$(SR) es fetch

# --- the demo ----------------------------------------------------------------

es: setup
	$(SR) es start --data-dir $(DEMO_DATA)/elasticsearch --port $(DEMO_ES_PORT)

run: setup
	$(SR) services up --config $(DEMO_CONFIG)
	$(SR) run --config $(DEMO_CONFIG)

serve: run
	$(SR) serve --config $(DEMO_CONFIG)

stop:
	-$(SR) services down --config $(DEMO_CONFIG)
	-$(SR) es stop --data-dir $(TEST_DATA)/es

# --- quality -------------------------------------------------------------------

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The test services are started here and stopped on every exit path (scripts/with-test-services).
test: setup lint
	TEST_ES_PORT=$(TEST_ES_PORT) TEST_DATA=$(TEST_DATA) scripts/with-test-services $(BIN)/pytest

clean: stop
	rm -rf $(TEST_DATA) $(DEMO_DATA)
