# Madang: the one door. `make run` serves the demo; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
export PYTHONPATH := $(CURDIR)/platform:$(CURDIR)
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium

.PHONY: run install install-test setup test test-faults lint bench messages clean browser-deps moderation-model moderation-eval

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PIP) install -q -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PIP) install -q -e '.[test,dev]'
	@touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test browser-deps

# Debian's chromium and Korean fonts for the browser tests (never a downloaded browser).
browser-deps:
	@if [ ! -x "$(CHROMIUM)" ] || ! fc-list 2>/dev/null | grep -qi nanum; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium fonts-nanum gettext >/dev/null; \
	fi

messages: install
	$(MANAGE) compilemessages --ignore=.venv -v 0

setup: install messages
	$(MANAGE) migrate --noinput -v 0
	$(MANAGE) seed_demo
	$(MANAGE) seed_demo_digests

run: setup
	@echo ""
	@echo "  마당 Madang: http://$(HOST):$(PORT)/"
	@echo ""
	@# The background worker (digest builds, webhooks) runs beside Daphne and stops with it.
	@$(MANAGE) task_worker --no-reload -v 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	$(PY) -m madang.serve -b $(HOST) -p $(PORT) --websocket_timeout 86400 --ping-interval 20 --ping-timeout 30 madang.asgi:application

test: install-test messages
	$(MANAGE) makemigrations --check --dry-run -v 1
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# The long fault scenarios (real Daphne workers, a private Redis, proxies); `make test`
# skips them. Figures go to test-artifacts/faults/figures.jsonl (see docs/reliability.md).
test-faults: install-test messages
	MADANG_FAULT_SCENARIOS=1 $(VENV)/bin/pytest tests/faults -m "slow" $(PYTEST_ARGS)

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy deliberation platform/madang benchmarks

bench: install-test messages
	$(PY) -m benchmarks $(BENCH_ARGS)

# The offensive-language model (deliberation/screening): retrain the shipped artefact from
# the shipped data, and write the held-out split it never saw to data/screening/.
moderation-model: install
	$(MANAGE) moderation_train --held-out data/screening/heldout.tsv

# Its figures on the held-out split and on the deliberation statements (docs/moderation.md).
moderation-eval: install
	$(MANAGE) moderation_train --no-train --held-out data/screening/heldout.tsv
	$(MANAGE) moderation_eval data/screening/heldout.tsv
	$(MANAGE) moderation_eval deliberation/screening/corpus/deliberation_statements.tsv

clean:
	rm -rf $(VENV) data/*.sqlite3*
