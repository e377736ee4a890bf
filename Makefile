# Everything a newcomer needs: `make run` and `make test` do all the setup.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: setup lock screenshots run test lint format demo bench bench-api bench-pages bench-collection bench-scale bench-lighthouse screenshots-pages migrate clean

setup: $(VENV)/.installed node_modules/.installed var

# Both locks carry hashes: the runtime one (all that production installs) and the
# development one (tests, linters, type checks), pinned to the same versions.
$(VENV)/.installed: requirements.lock requirements-dev.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "repotraffic needs Python >= 3.11; set PYTHON=/path/to/python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock -r requirements-dev.lock
	touch $@

# Regenerate both locks after a change to pyproject.toml's dependencies.
lock: setup
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url \
	  --no-emit-find-links --output-file=requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet --extra=dev --generate-hashes --strip-extras --allow-unsafe \
	  --no-emit-index-url --no-emit-find-links -c requirements.lock \
	  --output-file=requirements-dev.lock pyproject.toml

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "repotraffic needs Node.js >= 18 with npm for the chart library"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

var:
	mkdir -p var

migrate: setup
	$(BIN)/python manage.py migrate --noinput

# Web, a Celery worker with embedded beat on the filesystem broker: no services needed.
# Configuration comes from the environment only (honcho would otherwise read a .env).
# honcho through config/honcho_run.py, which gives the worker time to stop cleanly.
HONCHO := $(BIN)/python -m config.honcho_run
run: migrate
	$(HONCHO) start --env /dev/null --procfile Procfile --port $(PORT)

# On every core (pytest-xdist), a file per worker at a time; PYTEST_ARGS="-n 0" runs serially.
test: setup
	$(BIN)/pytest -n auto --dist loadfile $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The app against the bundled fake GitHub, with months of realistic demo history, in its
# own database under var/demo so it never mixes with your real data. Running it again
# adds nothing twice and prints the same link (the demo user's random token is kept in
# var/demo/demo-api-token). demo_link prints it again below the processes' first logs,
# once the web server answers (it ends then, or with them).
FAKE_GITHUB_PORT ?= 8765
DEMO_ENV := REPOTRAFFIC_VAR_DIR=$(CURDIR)/var/demo FAKE_GITHUB_PORT=$(FAKE_GITHUB_PORT) \
  GITHUB_API_URL=http://127.0.0.1:$(FAKE_GITHUB_PORT) GITHUB_TOKEN=demo-token
demo: setup
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEMO_ENV) GITHUB_RETRY_BACKOFF=0 $(BIN)/python manage.py demo_seed --base-url http://127.0.0.1:$(PORT)
	$(DEMO_ENV) $(BIN)/python manage.py demo_link --base-url http://127.0.0.1:$(PORT) & \
	  $(DEMO_ENV) $(HONCHO) start --env /dev/null --procfile Procfile.demo --port $(PORT)

# The README's screenshots, from the demo's data (needs chromium: apt-get install chromium).
screenshots: setup
	$(BIN)/python docs/screenshots.py

# Benchmarks need wrk and chromium (apt-get install wrk chromium); see docs/benchmarks.md.
bench: setup
	$(BIN)/python bench/run_all.py

bench-api bench-pages bench-collection: setup
	$(BIN)/python bench/$(subst -,_,$@).py

# Collection at scale: 3 Celery workers on PostgreSQL and Redis, 10,000 repositories, 103
# tokens (docs/benchmarks.md). Needs both servers; BENCH_DATABASE_URL and BENCH_REDIS_URL
# say where (defaults: the local ones, Redis database 12, flushed). Not in `make bench`.
bench-scale: setup
	$(BIN)/python bench/bench_scale.py $(BENCH_ARGS)

# Lighthouse's four categories for the overview, a repository page and / (needs chromium);
# installs its pinned lighthouse into var/bench-node on first use, never into package.json.
bench-lighthouse: setup
	$(BIN)/python bench/bench_lighthouse.py

# Every page at 1280 and 390 px, light and dark, with 500 repositories (one failing), a new
# user and a share link, into var/screenshots/pages/ for review (needs chromium).
screenshots-pages: setup
	$(BIN)/python bench/screenshots_pages.py $(BENCH_ARGS)

clean:
	rm -rf var/celery var/static
