"""Every DAG in dags/ imports, has no cycles, is documented and owned, retries, and parses fast.

Parametrised over the whole DagBag, so a DAG added later is checked without a new test.
"""

import subprocess
import sys
import time

import pytest

from transforms.config import REPO_ROOT

DAG_FILES = sorted(p.name for p in (REPO_ROOT / "dags").glob("*.py"))
# Modules a scheduler must not import when it parses a DAG file (every loop parses them all).
HEAVY_MODULES = ("great_expectations", "dbt", "duckdb", "pandas", "pyarrow")


def _bag(path=None):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(path or REPO_ROOT / "dags"))


@pytest.fixture(scope="module")
def dagbag(airflow_db):
    return _bag()


def _dag_ids() -> list[str]:
    """The DAG ids declared in dags/ (read without Airflow, for parametrising)."""
    import re

    ids = []
    for name in DAG_FILES:
        ids += re.findall(r"dag_id=\"([a-z0-9_]+)\"", (REPO_ROOT / "dags" / name).read_text())
    return sorted(ids)


def test_every_dag_file_imports_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert sorted(dagbag.dag_ids) == _dag_ids()
    assert "partnership_indicators" in dagbag.dag_ids


@pytest.mark.parametrize("dag_id", _dag_ids())
def test_dag_has_no_cycle_an_owner_tags_docs_and_retries(dagbag, dag_id):
    from airflow.utils.dag_cycle_tester import check_cycle

    dag = dagbag.get_dag(dag_id)
    check_cycle(dag)  # raises AirflowDagCycleException on a cycle
    assert dag.tags, "tags let operators filter the DAG list"
    assert dag.doc_md and dag.doc_md.strip(), "doc_md is shown on the DAG's page"
    assert dag.max_active_runs == 1, "DuckDB allows one writer: one active run"
    assert dag.catchup is False
    for task in dag.tasks:
        assert task.owner and task.owner != "airflow", f"{task.task_id} has no owner"
        # tests/conftest.py sets airflow.task_retries to 0; the DAG takes it from the configuration.
        assert task.retries == 0, f"{task.task_id}: retries {task.retries} not from the configuration"


def test_the_pipeline_dag_is_the_chain_of_the_steps(dagbag):
    from transforms import STEPS

    dag = dagbag.get_dag("partnership_indicators")
    assert [t.task_id for t in dag.topological_sort()] == list(STEPS)


@pytest.mark.parametrize("dag_file", DAG_FILES)
def test_dag_file_parses_in_under_a_second(airflow_db, dag_file):
    started = time.perf_counter()
    bag = _bag(REPO_ROOT / "dags" / dag_file)
    elapsed = time.perf_counter() - started
    assert not bag.import_errors
    assert elapsed < 1.0, f"parsing took {elapsed:.2f}s"


@pytest.mark.parametrize("dag_file", DAG_FILES)
def test_dag_file_does_no_heavy_imports_at_parse_time(dag_file):
    code = (
        f"import sys, runpy; runpy.run_path('dags/{dag_file}'); "
        f"heavy = [m for m in {HEAVY_MODULES!r} if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
