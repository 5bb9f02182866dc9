# Two commands do all the set-up on a fresh machine (Python 3.11+, make, git):
#   make demo   install, generate a sample, run the whole pipeline through Dagster, print KPIs
#   make test   install and run every test
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/uv/bin/uv
VENV := .venv
BIN := $(VENV)/bin

# Settings shared by every target (override on the command line or in the environment).
export DBT_PROFILES_DIR := $(CURDIR)
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
# dagster dev reads [tool.dagster] in pyproject.toml; the `dagster asset` and
# `dagster job` subcommands of Dagster 1.13 do not, so they get -m. (Exporting
# DAGSTER_MODULE_NAME instead would break `dagster dev`: its webserver then gets
# two code locations and refuses to start.)
DAGSTER_CODE := -m orchestration.definitions
export DO_NOT_TRACK := 1
# Your own data: `make load build DATA=/path/to/landing` (or `make run DATA=...`, through
# Dagster) and `make ui DATA=/path/to/landing`
# (WAREHOUSE=/path/to/file.duckdb to keep its warehouse apart). They set the settings below.
ifdef DATA
export ONBOARDING_DATA_DIR := $(abspath $(DATA))
endif
ifdef WAREHOUSE
export ONBOARDING_WAREHOUSE := $(abspath $(WAREHOUSE))
endif
export UV_PYTHON_DOWNLOADS := never

SAMPLE_ACCOUNTS ?= 400
# 13 months and more: enough for 6-month outcomes and 12-month net revenue retention.
SAMPLE_DAYS ?= 420
# The sample ends yesterday (UTC), so the daily partitions and "today's alerts" are current.
# Dagster's daily partitions start with the landed data (ONBOARDING_PARTITIONS_START overrides).
SAMPLE_START ?= $(shell python3 -c 'import datetime as d; print(d.datetime.now(d.timezone.utc).date() - d.timedelta(days=$(SAMPLE_DAYS)))')
SAMPLE_SEED ?= 7
UI_PORT ?= 3000
DOCS_PORT ?= 8080

.PHONY: help install install-extras browser java demo run sample load build ui docs test test-fast soak lint lint-checks format docs-check bench bench-quick clean clean-data

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}' \
		| sed -e 's/$$(UI_PORT)/$(UI_PORT)/g' -e 's/$$(DOCS_PORT)/$(DOCS_PORT)/g'

$(UV):
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --target .tools/uv uv==$(UV_VERSION)

# --inexact: a plain install keeps the optional groups a test or bench run added.
UV_SYNC := $(UV) sync --frozen --inexact --python $(PYTHON)

$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	$(UV_SYNC)
	@touch $@

# The optional dependency groups (pyproject.toml): Spark (the equivalence test) and chdb
# (the benchmark's peer). `make test` and `make bench` need them; `make demo` does not.
$(VENV)/.installed-extras: $(VENV)/.installed
	$(UV_SYNC) --group spark --group bench
	@touch $@

# Parsed on every run (partial parsing makes it quick): Dagster builds its asset
# graph from target/manifest.json, which must follow the models as they are now.
install: $(VENV)/.installed  ## create .venv from the lock file (uv) and parse the dbt project
	@$(BIN)/dbt parse --quiet

install-extras: install $(VENV)/.installed-extras  ## add the optional groups: Spark (dbt-spark, pyspark) and chdb

# The UI test drives Debian's chromium headless. Installed when missing and we are
# root (CI); otherwise install it yourself (or set CHROMIUM to another binary).
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM

browser:  ## install Debian's chromium for the UI test when it is missing (needs root)
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing chromium (apt-get) for the UI test..."; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null \
		|| { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; }; \
	else echo "note: $(CHROMIUM) is missing; the UI test will be skipped (apt-get install chromium as root)"; fi

# The Spark target (dbt-spark's session method) runs Spark in process: Java 17.
java:  ## install Debian's Java 17 runtime for the Spark target when java is missing (needs root)
	@if command -v java >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing openjdk-17-jre-headless (apt-get) for the Spark target..."; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q openjdk-17-jre-headless >/dev/null \
		|| { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q openjdk-17-jre-headless >/dev/null; }; \
	else echo "note: java is missing; the Spark equivalence test will fail (apt-get install openjdk-17-jre-headless)"; fi

$(DAGSTER_HOME)/dagster.yaml: deploy/dagster.yaml
	@mkdir -p $(DAGSTER_HOME)
	cp deploy/dagster.yaml $(DAGSTER_HOME)/dagster.yaml

sample: install  ## generate sample landing data into ONBOARDING_DATA_DIR (default data/landing)
	@echo "generating $(SAMPLE_ACCOUNTS) accounts over $(SAMPLE_DAYS) days from $(SAMPLE_START) into $${ONBOARDING_DATA_DIR:-data/landing}..."
	@$(BIN)/onboarding sample generate --accounts $(SAMPLE_ACCOUNTS) \
		--days $(SAMPLE_DAYS) --start $(SAMPLE_START) --seed $(SAMPLE_SEED) --out "$${ONBOARDING_DATA_DIR:-data/landing}"

demo: sample $(DAGSTER_HOME)/dagster.yaml  ## install, generate a sample, materialize everything through Dagster, print KPIs
	@# A new sample replaces the landing zone: start from an empty warehouse and outbox.
	@rm -rf "$${ONBOARDING_WAREHOUSE:-warehouse/onboarding.duckdb}" "$${ONBOARDING_WAREHOUSE:-warehouse/onboarding.duckdb}.wal" \
		"$$(dirname "$${ONBOARDING_WAREHOUSE:-warehouse/onboarding.duckdb}")/alerts"
	@$(MAKE) --no-print-directory run

# One Dagster run of every asset over every landed date: one line per stage (the full
# log, every dbt model and test, goes to a file under logs/ whose path is printed).
run: install $(DAGSTER_HOME)/dagster.yaml  ## one Dagster run of everything over every landed date (DATA=/path), then print KPIs
	@$(BIN)/onboarding run onboarding_full_build \
		--tags "$$($(BIN)/onboarding partitions landed-range-tags)"
	@echo
	@$(BIN)/onboarding summary

load: install  ## load the landing zone (DATA=/path, or ONBOARDING_DATA_DIR) into the raw tables plain dbt reads
	$(BIN)/onboarding load

build: load  ## load, `dbt build` around the prediction step (no Dagster; unit tests are for make test), then publish the snapshot, dashboards, reports and status pages
	$(BIN)/dbt build --exclude-resource-type unit_test --exclude "source:predict+"
	$(BIN)/onboarding predict
	$(BIN)/dbt build --exclude-resource-type unit_test -s "source:predict+"
	$(BIN)/onboarding publish
	$(BIN)/onboarding dashboards
	$(BIN)/onboarding status-pages

ui: install $(DAGSTER_HOME)/dagster.yaml  ## start the Dagster UI on http://127.0.0.1:$(UI_PORT)
	$(BIN)/dagster dev -h 127.0.0.1 -p $(UI_PORT)

# The catalog (column types, row counts) comes from the warehouse: build it first
# (make demo or make build); without one the docs still show every model and exposure.
docs: install  ## generate the dbt docs (models, metrics, exposures) and serve them on http://127.0.0.1:$(DOCS_PORT)
	$(BIN)/dbt docs generate
	$(BIN)/dbt docs serve --host 127.0.0.1 --port $(DOCS_PORT) --no-browser

# sqlfluff compiles the models: against an empty warehouse, so the result does not
# depend on local state (incremental models are linted as a full build).
LINT_ENV := ONBOARDING_WAREHOUSE=$(CURDIR)/target/lint/empty.duckdb DBT_TARGET_PATH=$(CURDIR)/target/lint

lint: install  ## ruff on Python, sqlfluff on the models
	@$(MAKE) --no-print-directory lint-checks

# The checks alone (no install, nothing written outside target/lint): `make test` runs them
# beside the tests.
lint-checks:
	$(BIN)/ruff check orchestration onboarding_sample tests bench
	$(BIN)/ruff format --check orchestration onboarding_sample tests bench
	@rm -rf target/lint && mkdir -p target/lint
	$(LINT_ENV) $(BIN)/sqlfluff lint models tests/dbt

format: install  ## fix what ruff and sqlfluff can fix
	$(BIN)/ruff check --fix orchestration onboarding_sample tests bench
	$(BIN)/ruff format orchestration onboarding_sample tests bench
	@rm -rf target/lint && mkdir -p target/lint
	$(LINT_ENV) $(BIN)/sqlfluff fix models tests/dbt

# Two tiers (pytest-xdist): tests/fast (pure Python, parse-level checks, the loader and
# the generator, dbt's unit tests) and tests/pipeline (dbt, Dagster, Spark and the browser
# on builds shared by the session). See docs/testing.md. Three workers on two cores: the
# suite waits on webservers, daemons, browsers and the JVM a good third of its time.
PYTEST_WORKERS ?= 3

# The lint checks run beside the tests (their output follows the tests'); either failing
# fails `make test`.
test: install-extras browser java  ## install, lint and run every test, both tiers (17 to 23 minutes here)
	@mkdir -p target
	@$(MAKE) --no-print-directory lint-checks > target/lint.log 2>&1 & linting=$$!; \
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile --durations=25; tests=$$?; \
	wait $$linting; linted=$$?; \
	echo "--- make lint, run beside the tests (exit $$linted):"; cat target/lint.log; \
	exit $$(( tests || linted ))

test-fast: install  ## the fast tier alone: pure Python, parse-level checks, dbt unit tests (about 2 minutes)
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile tests/fast

soak: install-extras  ## the rebuild-equivalence check at length: 80 random changes on a bigger sample, with data tests, and its mutations
	$(BIN)/pytest -m soak tests/pipeline/test_rebuild_equivalence.py
	$(BIN)/python -m tests.support.rebuild_equivalence --steps 80

bench: install-extras  ## benchmarks at 1M and 10M events, 3 runs each (BENCHMARKS.md; add BENCH_ARGS=--with-100m)
	$(BIN)/python -m bench $(BENCH_ARGS)

bench-quick: install-extras  ## a smoke run of the benchmarks: one small dataset, one run, builds without tests (about a minute and a half)
	$(BIN)/python -m bench --quick

clean:  ## remove dbt and Dagster run artifacts (keeps data and the warehouse)
	rm -rf target logs .pytest_cache .ruff_cache test-artifacts

clean-data:  ## remove generated landing data, the warehouse and Dagster's home
	rm -rf data warehouse .dagster_home
