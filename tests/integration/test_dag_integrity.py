"""Every DAG imports, has no cycles, parses fast, and allows one active run."""

import time

import pytest

from conftest import REPO


@pytest.fixture(scope="module")
def dagbag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(REPO / "dags"))


def test_dags_import_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert "partnership_indicators" in dagbag.dag_ids


def test_pipeline_dag_is_a_chain_without_cycles(dagbag):
    from airflow.utils.dag_cycle_tester import check_cycle

    dag = dagbag.get_dag("partnership_indicators")
    check_cycle(dag)  # raises AirflowDagCycleException on a cycle
    order = [t.task_id for t in dag.topological_sort()]
    assert order == ["ingest", "validate", "build", "publish"]
    assert dag.max_active_runs == 1
    assert dag.catchup is False


def test_dag_file_parses_in_under_a_second(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    started = time.perf_counter()
    bag = DagBag(dag_folder=str(REPO / "dags" / "partnership_indicators.py"))
    elapsed = time.perf_counter() - started
    assert not bag.import_errors
    assert elapsed < 1.0, f"parsing took {elapsed:.2f}s"


def test_dag_file_does_no_heavy_imports_at_parse_time():
    import subprocess
    import sys

    code = ("import sys, runpy; runpy.run_path('dags/partnership_indicators.py'); "
            "heavy = [m for m in ('great_expectations', 'dbt', 'duckdb', 'pandas') if m in sys.modules]; "
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
