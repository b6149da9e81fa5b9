# Two commands for a fresh clone: `make run` and `make test`.
SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -eu -o pipefail -c

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
export PYTHONPATH := $(CURDIR)
export AIRFLOW_HOME ?= $(CURDIR)/.airflow
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__CORE__UNIT_TEST_MODE := False
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN ?= sqlite:///$(AIRFLOW_HOME)/airflow.db
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export DO_NOT_TRACK := 1

.PHONY: run test venv airflow-init lock snapshot clean

$(VENV)/.installed: requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; set PYTHON=/path/to/python3.11" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	if command -v uv >/dev/null 2>&1; then
	  echo "installing the locked dependencies with uv"
	  uv pip install --quiet --python $(PY) -r requirements.lock
	else
	  echo "uv not found: installing the locked dependencies with pip"
	  $(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	fi
	touch $@

venv: $(VENV)/.installed

$(AIRFLOW_HOME)/airflow.db: $(VENV)/.installed
	mkdir -p $(AIRFLOW_HOME)
	$(VENV)/bin/airflow db migrate > $(AIRFLOW_HOME)/db-migrate.log 2>&1 || { tail -20 $(AIRFLOW_HOME)/db-migrate.log; exit 1; }

airflow-init: $(AIRFLOW_HOME)/airflow.db

## Install, initialise the embedded Airflow, run the pipeline DAG once, print the release.
run: airflow-init
	$(PY) -m transforms airflow-run

## Run the test suite (the same command CI runs).
test: venv
	rc=0; $(PY) -m pytest $(PYTEST_ARGS) || rc=$$?
	if [ $$rc -eq 5 ]; then echo "error: pytest collected no tests" >&2; exit 1; fi
	exit $$rc

## Re-derive the committed reference snapshot from ../shared/data.
snapshot: venv
	$(PY) -m transforms snapshot --from-dir ../shared/data

## Re-pin requirements.lock from requirements.in.
lock: venv
	uv pip compile --quiet --python $(PY) requirements.in -o requirements.lock

clean:
	rm -rf $(VENV) $(AIRFLOW_HOME) data output
