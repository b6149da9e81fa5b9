"""Shared fixtures: an isolated Airflow home, synthetic data, the shared indicator run.

Airflow reads its configuration when first imported, so its environment is set
here, before any test module imports it. The constants and plain helpers the
fixtures use (test year and seed, synthetic twins, `write_config`) are in
tests/support.py.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.support import INDICATOR_RUN_ID, PUBLISHED_AGGREGATES, SMALL_SCALE, synthetic_twins, write_config
from transforms.config import REPO_ROOT

_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="hscp-airflow-test-"))
os.environ["AIRFLOW_HOME"] = str(_AIRFLOW_HOME)
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(REPO_ROOT / "dags")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{_AIRFLOW_HOME}/airflow.db"
os.environ["HSCP_AIRFLOW__TASK_RETRIES"] = "0"
os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "False"
logging.getLogger("great_expectations").setLevel(logging.WARNING)


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """An initialised Airflow metadata DB (SQLite) for DAG tests."""
    airflow = Path(sys.executable).parent / "airflow"
    subprocess.run([str(airflow), "db", "migrate"], check=True, capture_output=True, env=os.environ.copy())
    return _AIRFLOW_HOME


@pytest.fixture(scope="session")
def reference_tables():
    from transforms.synthetic.smr01 import ReferenceTables

    return ReferenceTables.from_dir(REPO_ROOT / "reference")


@pytest.fixture(scope="session")
def synthetic_extract() -> Path:
    """The full-scale synthetic SMR01 extract for TEST_YEAR, generated once per session."""
    return synthetic_twins()["smr01_episodes"]


@pytest.fixture(scope="session")
def small_extract() -> Path:
    """The SMR01 twin of `write_config`'s runs (SMALL_SCALE)."""
    return synthetic_twins(SMALL_SCALE)["smr01_episodes"]


@pytest.fixture(scope="session")
def indicator_run(tmp_path_factory):
    """One full pipeline run (without Airflow) shared by the indicator test modules.

    It uses the synthetic twins of TEST_YEAR and the published aggregates that are
    beside this clone. Returns (config, run state, marts folder): the marts there are
    the restricted, unsuppressed build outputs, which the tests recompute exactly.
    """
    from transforms import pipeline
    from transforms.config import load_config
    from transforms.runstate import RunState

    tmp = tmp_path_factory.mktemp("indicator-run")
    present = {name: path for name, path in PUBLISHED_AGGREGATES.items() if path.exists()}
    cfg = load_config(write_config(tmp, scale=1.0, **present), environ={})
    pipeline.run_all(cfg, INDICATOR_RUN_ID)
    return cfg, RunState.load(cfg.runs_dir, INDICATOR_RUN_ID), pipeline.run_dir(cfg, INDICATOR_RUN_ID) / "marts"


def _uses_the_shared_run(module: Path) -> bool:
    return "indicator_run" in module.read_text(encoding="utf-8")


def pytest_xdist_make_scheduler(config, log):
    """Under pytest-xdist (`make test`), one module's tests go to one worker, and so do all
    the tests of the shared pipeline run.

    Module-scoped fixtures (a whole pipeline run for several modules) are then built
    once, and so is `indicator_run`. The heaviest work is handed out first: the shared
    run's modules, then the other integration modules, in the order collected.
    """
    from xdist.scheduler import LoadScopeScheduling

    shared = {
        p.relative_to(REPO_ROOT).as_posix() for p in (REPO_ROOT / "tests").rglob("test_*.py") if _uses_the_shared_run(p)
    }

    class SharedRunScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return "indicator_run" if module in shared else module

    return SharedRunScheduling(config, log)
