# Two commands for a fresh machine: `make run` (set up, build, serve) and `make test` (set up,
# every check). Stamps make a second run skip what is already done.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
WEB := web
WEB_DIST := src/dancecoach/web_dist
# Front-end sources, without the files the build generates from the server.
WEB_SOURCES := $(shell find $(WEB)/src $(WEB)/index.html $(WEB)/vite.config.ts -type f \
	! -name '*.generated.ts' ! -name 'openapi.json' ! -name 'schema.d.ts' 2>/dev/null)
API_SOURCES := $(shell find src/dancecoach/api src/dancecoach/pose/landmarks.py src/dancecoach/pose/body_parts.py -name '*.py' 2>/dev/null)

.PHONY: run test setup system-deps web lint typecheck pytest vitest bench clean

setup: $(VENV)/.stamp-deps

$(VENV)/.stamp-deps: requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m pip check
	touch $@

# Debian packages the browser tests need (Chromium); installed once, as root.
system-deps:
	bash scripts/system_deps.sh

$(WEB)/node_modules/.stamp: $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund
	touch $@

web: $(WEB_DIST)/index.html

$(WEB_DIST)/index.html: $(VENV)/.stamp-deps $(WEB)/node_modules/.stamp $(WEB_SOURCES) $(API_SOURCES)
	bash scripts/build_web.sh

run: setup web
	$(VENV)/bin/dancecoach serve

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: setup
	$(VENV)/bin/mypy

vitest: web
	cd $(WEB) && npm run --silent typecheck && npm run --silent test

# PostgreSQL tests use $$DANCECOACH_TEST_POSTGRES_URL, or a local server the script sets up.
# The S3 tests run moto's server (moto_server, from the dev extras in requirements.lock).
# Two parts: the tests that can share the machine run on both cores (pytest-xdist, each file on
# one worker so that its module fixtures are built once), then those marked exclusive (browser,
# cluster, timed; tests/conftest.py) run one at a time with the machine to themselves. Both
# share one pose cache (tests/shared_poses.py), removed at the end.
pytest: setup system-deps web
	url=$${DANCECOACH_TEST_POSTGRES_URL:-$$(bash scripts/postgres_test_db.sh)} && \
		poses=$$(mktemp -d) && trap 'rm -rf "$$poses"' EXIT && \
		export DANCECOACH_TEST_POSTGRES_URL=$$url DANCECOACH_TEST_SHARED_POSES=$$poses && \
		$(VENV)/bin/pytest -n 2 --dist loadfile -m "not exclusive" && \
		$(VENV)/bin/pytest -m exclusive

test: lint typecheck vitest pytest

bench: setup
	$(PY) -m bench

clean:
	rm -rf $(VENV) $(WEB)/node_modules $(WEB_DIST)
