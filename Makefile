# A thin layer over the real commands, so that people and CI run the same thing.
#   make run   — install, migrate, load the demo page, start web + Celery worker + beat
#   make test  — install test tools, lint, check migrations, run the whole pytest suite

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
export NOROSHI_PORT := $(PORT)
export SITE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run test lint format check-python install install-dev clean

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

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: $(VENV)/.dev lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache .mypy_cache
