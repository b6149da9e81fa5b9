"""Shared fixtures: an isolated Airflow home, a small configuration, synthetic data.

Airflow reads its configuration when first imported, so its environment is set
here, before any test module imports it.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"

_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="hscp-airflow-test-"))
os.environ["AIRFLOW_HOME"] = str(_AIRFLOW_HOME)
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(REPO / "dags")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{_AIRFLOW_HOME}/airflow.db"
os.environ["HSCP_AIRFLOW__TASK_RETRIES"] = "0"
os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "False"
logging.getLogger("great_expectations").setLevel(logging.WARNING)

# The smallest period that still exercises everything: one financial year.
TEST_YEAR = 2022
TEST_SEED = 12345
# `synthetic.scale` of the runs that test how the pipeline behaves (kills, locks,
# idempotency, failures, Airflow): a twentieth of the modelled events keeps every
# input, model and test in play at a fraction of the cost. The indicator tests,
# which check figures against the extracts and the published rates, use the full
# scale (`indicator_run`, `synthetic_twins()`).
SMALL_SCALE = 0.05


@lru_cache(maxsize=None)
def synthetic_twins(scale: float = 1.0) -> dict[str, Path]:
    """Every synthetic extract for TEST_YEAR, TEST_SEED and `scale`, generated once per test process.

    Pipeline tests point their configuration at these files instead of generating the
    twins again in each workspace (about 20 s a time at full scale).
    """
    from transforms.synthetic import extracts

    folder = Path(tempfile.mkdtemp(prefix="hscp-synthetic-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return extracts.ensure(list(extracts.ORDER), folder, REPO / "reference", [TEST_YEAR], TEST_SEED, scale)


def write_config(tmp: Path, scale: float = SMALL_SCALE, **inputs) -> Path:
    """A pipeline config whose working and output folders live under `tmp`.

    Restricted extracts not given are the shared synthetic twins of `scale`
    (`synthetic_twins`); the published aggregates are off unless given.
    """
    raw = yaml.safe_load((REPO / "config" / "pipeline.yml").read_text())
    raw["paths"].update({"reference_dir": str(REPO / "reference"), "data_dir": str(tmp / "data"),
                         "output_dir": str(tmp / "output")})
    raw["period"] = {"first_financial_year": TEST_YEAR, "last_financial_year": TEST_YEAR}
    raw["synthetic"].update({"seed": TEST_SEED, "scale": scale})
    raw["inputs"]["locality_lookup"] = str(REPO / "reference" / "locality_lookup_demo.csv")
    twins = synthetic_twins(scale)
    for key, name in (("smr01", "smr01_episodes"), ("ae_attendances", "ae_attendances"),
                      ("delayed_discharges", "delayed_discharges"), ("deaths", "deaths")):
        raw["inputs"][key] = str(twins[name])
    raw["inputs"].update({"public_admissions_hscp_simd": "none", "public_ae_monthly": "none"})
    raw["inputs"].update({k: str(v) for k, v in inputs.items()})
    path = tmp / "pipeline.yml"
    path.write_text(yaml.safe_dump(raw))
    return path


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """An initialised Airflow metadata DB (SQLite) for DAG tests."""
    airflow = Path(sys.executable).parent / "airflow"
    subprocess.run([str(airflow), "db", "migrate"], check=True, capture_output=True, env=os.environ.copy())
    return _AIRFLOW_HOME


@pytest.fixture(scope="session")
def reference_tables():
    from transforms.synthetic.smr01 import ReferenceTables

    return ReferenceTables.from_dir(REPO / "reference")


@pytest.fixture(scope="session")
def synthetic_extract() -> Path:
    """The full-scale synthetic SMR01 extract for TEST_YEAR, generated once per session."""
    return synthetic_twins()["smr01_episodes"]


@pytest.fixture(scope="session")
def small_extract() -> Path:
    """The SMR01 twin of `write_config`'s runs (SMALL_SCALE)."""
    return synthetic_twins(SMALL_SCALE)["smr01_episodes"]


PUBLISHED_AGGREGATES = {"public_admissions_hscp_simd": SHARED_DATA / "hospital_admissions_hscp_simd_20230706.csv",
                        "public_ae_monthly": SHARED_DATA / "monthly_ae_activity_202404.csv"}
INDICATOR_RUN_ID = "indicator-tests"


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

    shared = {p.relative_to(REPO).as_posix() for p in (REPO / "tests").rglob("test_*.py") if _uses_the_shared_run(p)}

    class SharedRunScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return "indicator_run" if module in shared else module

    return SharedRunScheduling(config, log)
