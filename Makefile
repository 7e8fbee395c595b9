# A thin layer over the real commands, so that people and CI run the same thing.
#   make run   — install, migrate, load the demo page, start web + Celery worker + beat
#   make test  — install test tools, lint, check migrations, run the whole pytest suite

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
export NOROSHI_PORT := $(PORT)
export SITE_URL ?= http://127.0.0.1:$(PORT)

CHROMIUM ?= /usr/bin/chromium
export NOROSHI_CHROMIUM := $(CHROMIUM)

.PHONY: run test lint format check-python install install-dev browser clean

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

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

run: $(VENV)/.runtime
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py ensure_admin
	@echo ""
	@echo "  Noroshi is starting: status page http://127.0.0.1:$(PORT)/  ·  console http://127.0.0.1:$(PORT)/admin/"
	@echo "  web (gunicorn), Celery worker and Celery beat run below; Ctrl-C stops all of them."
	@echo ""
	$(BIN)/honcho -f Procfile.dev start

# The browser tests drive Debian's chromium (Playwright's own browser download is not used).
browser:
	@if [ ! -x "$(CHROMIUM)" ] || { command -v dpkg >/dev/null && ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; }; then \
	  echo "Installing Debian's chromium and CJK fonts for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  $$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null || { \
	    echo "Could not install chromium: install it (apt-get install chromium fonts-noto-cjk)" \
	         "or set CHROMIUM=/path/to/chromium" >&2; exit 1; }; \
	fi

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy incidents statuspage notify

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: $(VENV)/.dev lint browser
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache .mypy_cache
