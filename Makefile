# Two commands for a fresh machine: `make run` (set up, build, serve) and `make test` (set up, all checks).
# Every step is idempotent: stamps make a second run skip what is already done.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
WEB := web
WEB_DIST := src/dancecoach/web_dist

.PHONY: run test setup system-deps web lint typecheck pytest vitest bench clean

setup: $(VENV)/.stamp-deps

$(VENV)/.stamp-deps: requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m pip check
	touch $@

# Debian packages the browser tests need (Chromium, its driver, ffmpeg for test media).
system-deps:
	bash scripts/system_deps.sh

web: $(WEB_DIST)/index.html

$(WEB)/node_modules/.stamp: $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund
	touch $@

$(WEB_DIST)/index.html: $(WEB)/node_modules/.stamp $(shell find $(WEB)/src $(WEB)/index.html -type f 2>/dev/null) $(VENV)/.stamp-deps
	bash scripts/build_web.sh

run: setup web
	$(VENV)/bin/dancecoach serve

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: setup
	$(VENV)/bin/mypy

vitest: $(WEB)/node_modules/.stamp
	cd $(WEB) && npm run --silent typecheck && npm run --silent test

pytest: setup system-deps web
	$(VENV)/bin/pytest

test: lint typecheck vitest pytest

bench: setup
	$(PY) -m bench

clean:
	rm -rf $(VENV) $(WEB)/node_modules $(WEB_DIST)
