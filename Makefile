# A thin layer over the real commands, so that people and CI run the same thing.
# `make help` lists the targets. Configuration comes from the environment and `.env`, which
# one place reads (statuspage/envfile.py): Django's settings for every manage.py step, and
# ENVFILE below for honcho, so that the Procfile's processes see the same values.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
ENVFILE := $(BIN)/python -m statuspage.envfile
# `make run PORT=9000` (or PORT in .env) moves the web server and the links it sends.
ifneq ($(origin PORT),undefined)
export NOROSHI_PORT := $(PORT)
endif

CHROMIUM ?= /usr/bin/chromium
export NOROSHI_CHROMIUM := $(CHROMIUM)

.PHONY: help run test lint format check-python install install-dev browser statuspage-client clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 19

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Noroshi needs Python 3.11 or newer; set PYTHON=/path/to/python3.11")'

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime

install: $(VENV)/.runtime ## create .venv with the runtime requirements
install-dev: $(VENV)/.dev ## create .venv with the test and lint tools too

run: $(VENV)/.runtime ## migrate, load the demo, start web + Celery worker + beat (Ctrl-C stops)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py ensure_admin
	@$(ENVFILE) sh -c 'printf "\n  Noroshi is starting: status page %s/  ·  console %s/admin/\n" \
	  "$${SITE_URL:-http://127.0.0.1:$$NOROSHI_PORT}" "$${SITE_URL:-http://127.0.0.1:$$NOROSHI_PORT}"'
	@echo "  web (gunicorn), Celery worker and Celery beat run below; Ctrl-C stops all of them."
	@echo ""
	$(ENVFILE) $(BIN)/python -m statuspage.devprocs --env /dev/null -f Procfile.dev start

# The browser tests drive Debian's chromium (Playwright's own browser download is not used).
browser: ## install Debian's chromium and CJK fonts for the browser tests, if missing
	@if [ ! -x "$(CHROMIUM)" ] || { command -v dpkg >/dev/null && ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; }; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  echo "The browser tests need Debian's chromium and CJK fonts: installing them now with" \
	       "$${SUDO:+sudo }apt-get install chromium fonts-noto-cjk"; \
	  $$SUDO apt-get update -qq && \
	  $$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null || { \
	    echo "Could not install chromium: install it (apt-get install chromium fonts-noto-cjk)" \
	         "or set CHROMIUM=/path/to/chromium" >&2; exit 1; }; \
	fi

# Atlassian's generated Statuspage client, which tests/e2e/test_statuspage_client.py drives the
# management API with, pins old requests and urllib3: it gets a venv of its own.
CLIENT_VENV := var/statuspage-client
CLIENT_REQUIREMENTS := tests/e2e/statuspage_client_requirements.txt

$(CLIENT_VENV)/.installed: $(CLIENT_REQUIREMENTS) | check-python
	rm -rf $(CLIENT_VENV)
	$(PYTHON) -m venv $(CLIENT_VENV)
	$(CLIENT_VENV)/bin/pip install --quiet --disable-pip-version-check -r $(CLIENT_REQUIREMENTS)
	@touch $@

statuspage-client: $(CLIENT_VENV)/.installed ## a venv of its own for Atlassian's Statuspage client (an e2e test)

lint: $(VENV)/.dev ## ruff, ruff format --check, mypy, the layers (import-linter)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy incidents statuspage notify
	$(BIN)/lint-imports

format: $(VENV)/.dev ## reformat and fix what ruff can
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# pytest runs the suite on PYTEST_WORKERS processes at once (pytest-xdist), each with a test
# database and a var/ (var/xdist/gw0…) of its own: much of the suite's time is end-to-end tests
# waiting on the processes they start, so more workers than cores still pay (on CI's two cores,
# about 10 minutes on 3 workers, 13 on 2, none gained on 4). PYTEST_WORKERS=1 runs it in this
# one process, as a plain `.venv/bin/pytest` does.
# --dist load hands the tests out in pytest-django's order, so that each worker runs its database
# tests before its transactional ones, whose flush removes the rows the migrations made (loadfile
# and worksteal do not keep that order); --maxschedchunk 1 hands them out one at a time as
# workers free up, so that no worker keeps a queue of slow end-to-end tests to itself.
PYTEST_WORKERS ?= 3
PYTEST_PARALLEL = $(if $(filter-out 0 1,$(PYTEST_WORKERS)),-n $(PYTEST_WORKERS) --dist load --maxschedchunk 1)

test: $(VENV)/.dev lint browser statuspage-client ## lint, the migrations check and the whole pytest suite, in parallel
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_PARALLEL)

clean: ## remove .venv, var/ and the tools' caches
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache .mypy_cache
