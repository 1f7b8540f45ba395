# Utterance Governance — everything a newcomer runs. `make demo` and `make test` set up first.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
ROOT := $(CURDIR)

# Airflow runs from this checkout: its own home, our dags/ and plugins/, no examples.
export AIRFLOW_HOME ?= $(ROOT)/airflow_home
export AIRFLOW__CORE__DAGS_FOLDER := $(ROOT)/dags
export AIRFLOW__CORE__PLUGINS_FOLDER := $(ROOT)/plugins
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__CORE__UNIT_TEST_MODE := False
export PYTHONPATH := $(ROOT)/plugins:$(ROOT)/dags:$(ROOT)
# A checkout is a development environment (unset, UG_ENV means production for a lake or store off the
# machine, development for a local lake and SQLite store). Deployments set UG_ENV=production.
export UG_ENV ?= development

.PHONY: setup bytecode demo test test-all-backends test-unit stack-test bench bench-stack lint airflow-db clean help

help:
	@echo "make demo   - set up, generate a lake and run the DAGs end to end on embedded defaults"
	@echo "make test   - set up and run the whole test suite (the real-stack test included)"
	@echo "make test-all-backends - the same, every case of every store test on PostgreSQL too"
	@echo "make stack-test - the production stack of docker-compose.yaml run natively (no Docker):"
	@echo "              Airflow api-server, scheduler, dag-processor, triggerer and a Celery worker on"
	@echo "              PostgreSQL and Redis (127.0.0.1), the lake on S3 (moto); a backfill and a"
	@echo "              privacy drop through the REST API, then checks S3 (skips if PostgreSQL/Redis are absent)"
	@echo "make bench  - 1M-utterance benchmark (median of 3) against the pyarrow I/O floor; every step"
	@echo "              of the nightly DAG at 1M (median of 3) and 10M utterances, with per-step peak RSS;"
	@echo "              and purging one customer against a full republish (bench_purge; SQLite, and"
	@echo "              PostgreSQL when a server answers at 127.0.0.1:5432)"
	@echo "make bench-stack - a 1M-utterance night on the native production stack: 1 Celery worker, 2,"
	@echo "              and 1 without the warm-up (needs PostgreSQL and Redis; about 15 minutes)"
	@echo "make lint   - ruff (with the AIR rules)"

# uv.lock as committed (--frozen): the runtime set and the dev group (tests, benchmarks), and this project
# editable (the `ug` command). --inexact: a package someone added to .venv by hand is left alone.
# --compile-bytecode: .venv ships its .pyc files. Where PYTHONDONTWRITEBYTECODE is set (as on CI machines
# and in the image), every process would otherwise compile Airflow, GX, pandas ... from source on import
# (GX: 6.2 s against 3.0 s), and the tests start hundreds of them.
$(VENV)/.installed: uv.lock pyproject.toml
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	@test -x $(PY) || uv venv --quiet --python $(PYTHON) $(VENV) || $(PYTHON) -m venv $(VENV)
	UV_PROJECT_ENVIRONMENT=$(VENV) uv sync --quiet --frozen --inexact --group dev --compile-bytecode
	@touch $@

setup: $(VENV)/.installed ## idempotent: creates .venv from uv.lock once (again when it changes)

airflow-db: setup
	@mkdir -p $(AIRFLOW_HOME)
	$(VENV)/bin/airflow db migrate >/dev/null

demo: setup airflow-db
	bash scripts/demo.sh

# the project's own modules compiled once, not in every process that imports them (see above)
bytecode: setup
	@$(PY) -m compileall -q -j 0 plugins dags tests

test: bytecode
	$(PY) -m pytest -q -n 2 --dist loadgroup

test-all-backends: bytecode  # every PostgreSQL case too (make test runs the first case of most tests there)
	UG_TEST_BACKENDS=all $(PY) -m pytest -q -n 2 --dist loadgroup

test-unit: bytecode
	$(PY) -m pytest -q tests/unit

stack-test: bytecode
	$(PY) -m pytest -v tests/stack

bench: setup
	$(PY) bench/bench.py
	$(PY) bench/bench_dag.py --utterances 1000000 --runs 3
	$(PY) bench/bench_dag.py --utterances 10000000 --runs 1
	$(PY) bench/bench_purge.py
	$(PY) bench/bench_compact.py
	@if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
		$(PY) bench/bench_purge.py --postgresql postgresql+psycopg2://postgres@127.0.0.1:5432; \
	else echo "bench_purge on PostgreSQL skipped: no server at 127.0.0.1:5432"; fi

bench-stack: setup
	$(PY) bench/bench_stack.py --utterances 1000000

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf data airflow_home bench/out .pytest_cache
