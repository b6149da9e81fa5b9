"""The commands an operator types fail loudly and say why."""

import os
import subprocess
import sys

import pandas as pd
import pytest

from tests.support import write_config
from transforms.config import REPO_ROOT

pytestmark = pytest.mark.slow


def _cli(*args, config=None):
    env = os.environ.copy()
    if config:
        env["HSCP_CONFIG"] = str(config)
    return subprocess.run(
        [sys.executable, "-m", "transforms", *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600
    )


def test_airflow_run_exits_non_zero_when_a_task_fails(tmp_path, airflow_db):
    lookup = tmp_path / "lookup_missing_column.csv"
    demo = pd.read_csv(REPO_ROOT / "reference" / "locality_lookup_demo.csv", dtype=str)
    demo.drop(columns="hscp_locality").to_csv(lookup, index=False)
    config = write_config(tmp_path, locality_lookup=lookup)
    result = _cli("airflow-run", config=config)
    assert result.returncode == 1
    assert "ended failed" in result.stderr and "validate" in result.stderr
    assert not (tmp_path / "output" / "latest").exists()
    report = next((tmp_path / "data" / "runs").glob("*/validation_report.md")).read_text()
    assert lookup.name in report and "hscp_locality" in report


def test_a_step_of_a_run_that_was_never_ingested_is_refused():
    result = _cli("validate", "--run-id", "never-ingested")
    assert result.returncode == 1
    assert "has not been ingested yet" in result.stderr


def test_a_typo_in_an_override_is_refused_before_anything_runs():
    env_typo = {"HSCP_INPUTS__SMR1": "/tmp/x.csv"}
    result = subprocess.run(
        [sys.executable, "-m", "transforms", "run"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **env_typo},
        timeout=120,
    )
    assert result.returncode == 2
    assert "HSCP_INPUTS__SMR1 names no setting" in result.stderr
