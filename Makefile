# Cultivate: `make run` to try it, `make test` to prove it. Both install what they need first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
SEED ?= 2026
# `make run` shows the service's own NHS error pages for a 404 or 403, as people will see them; `make run DEBUG=1`
# shows Django's debug pages instead.
DEBUG ?= 0
ONLY ?=

.PHONY: install run test test-fast lint typecheck bench clean browser

# Built into the apps' static files (git ignores them): the styles at /static/build/nhsuk.css, and each page script
# bundled with the npm packages it imports into one minified file (docs/deployment.md, static files).
CSS := cultivate/core/static/build/nhsuk.css
SITE_JS := cultivate/core/static/build/cultivate.js
CHARTS_JS := cultivate/insights/static/insights/build/charts.js
ESBUILD := node_modules/.bin/esbuild --bundle --minify --format=esm --target=es2020 --legal-comments=none --log-level=warning

# The JSON-LD contexts credentials are signed with, from the npm packages (git ignores it; see docs/credentials.md).
CONTEXTS := cultivate/credentials/contexts/build/contexts.json

install: $(VENV)/.installed node_modules/.installed $(CSS) $(SITE_JS) $(CHARTS_JS) $(CONTEXTS)

$(VENV)/.installed: pyproject.toml requirements/dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements/dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The NHS.UK styles without remote web fonts (see cultivate/core/assets/nhsuk.scss).
$(CSS): cultivate/core/assets/nhsuk.scss node_modules/.installed
	mkdir -p $(dir $@)
	node_modules/.bin/sass --no-source-map --style=compressed --quiet --load-path=node_modules $< $@

# The NHS.UK frontend's components and the page's own behaviour, in one script.
$(SITE_JS): cultivate/core/assets/cultivate.js node_modules/.installed
	$(ESBUILD) $< --outfile=$@

# Vega, Vega-Lite, vega-embed and the CSP-safe vega-interpreter, in one script (ADR 0008: no unsafe-eval).
$(CHARTS_JS): cultivate/insights/assets/charts.js node_modules/.installed
	$(ESBUILD) $< --outfile=$@

# Some context packages ship their documents only as JavaScript: node reads them once here, never at run time.
$(CONTEXTS): cultivate/credentials/contexts/build.cjs node_modules/.installed
	node $<

# Debian's Chromium for the Playwright journeys (browsers cannot be downloaded here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; }

run: install
	$(BIN)/cultivate migrate --verbosity 0
	$(BIN)/cultivate demo --seed $(SEED) --if-empty
	$(BIN)/cultivate collectstatic --noinput --verbosity 0
	$(BIN)/cultivate demo --print-logins
	DJANGO_DEBUG=$(DEBUG) $(BIN)/cultivate serve --port $(PORT)

test: install browser
	$(BIN)/ruff check .
	$(BIN)/mypy cultivate
	$(BIN)/lint-imports
	$(BIN)/python scripts/check_views.py
	env -u DATABASE_URL $(BIN)/pytest -n 2
	# On PostgreSQL again, only the tests that use the database: the browser journeys test pages, and a test
	# that never touches the database (analytics over Parquet, pure functions) gives the same result on both.
	$(if $(DATABASE_URL),$(BIN)/pytest -n 2 -m "not system" --database-tests-only,)

test-fast: install
	$(BIN)/pytest -n 2 -m "not system"

lint:
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy cultivate && $(BIN)/lint-imports

bench: install
	$(BIN)/python -m benchmarks $(if $(ONLY),--only $(ONLY),)

clean:
	rm -rf var/ .pytest_cache .mypy_cache .ruff_cache
