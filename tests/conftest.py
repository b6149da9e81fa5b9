"""Shared fixtures: an isolated Airflow home, a small configuration, synthetic data.

Airflow reads its configuration when first imported, so its environment is set
here, before any test module imports it.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
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
os.environ["HSCP_TASK_RETRIES"] = "0"
os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "False"
logging.getLogger("great_expectations").setLevel(logging.WARNING)

# The smallest period that still exercises everything: one financial year.
TEST_YEAR = 2022
TEST_SEED = 12345


def write_config(tmp: Path, **inputs) -> Path:
    """A pipeline config whose working and output folders live under `tmp`."""
    raw = yaml.safe_load((REPO / "config" / "pipeline.yml").read_text())
    raw["paths"].update({"reference_dir": str(REPO / "reference"), "data_dir": str(tmp / "data"),
                         "output_dir": str(tmp / "output")})
    raw["period"] = {"first_financial_year": TEST_YEAR, "last_financial_year": TEST_YEAR}
    raw["synthetic"]["seed"] = TEST_SEED
    raw["inputs"]["locality_lookup"] = str(REPO / "reference" / "locality_lookup_demo.csv")
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
def synthetic_extract(tmp_path_factory, reference_tables) -> Path:
    """The synthetic SMR01 extract for TEST_YEAR, generated once per session."""
    from transforms.synthetic import smr01

    path = tmp_path_factory.mktemp("synthetic") / smr01.extract_file_name(TEST_SEED, [TEST_YEAR])
    episodes = smr01.generate(reference_tables, [TEST_YEAR], TEST_SEED)
    return smr01.write_extract(episodes, path, seed=TEST_SEED, financial_years=[TEST_YEAR])
