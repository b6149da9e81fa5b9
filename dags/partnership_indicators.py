"""Partnership indicators: ingest -> validate -> build -> compare -> publish.

Wiring only. Every step is a function in transforms.pipeline (also runnable as
`hscp <step>`); it is imported inside the task so that parsing this file stays fast.
One task at a time writes the DuckDB warehouse (build, then compare), and one run is
active, because DuckDB allows a single writer. The configuration (HSCP_CONFIG, else
config/pipeline.yml) sets the task retries.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG, chain

from transforms import STEPS
from transforms.config import load_config


def run_step(step: str, run_id: str) -> str:
    """Run one pipeline step for this DAG run; the run id keys its working folder."""
    from transforms import pipeline

    result = pipeline.STEP_FUNCTIONS[step](load_config(), run_id)
    return str(result) if step == "publish" else f"{step} done"


with DAG(
    dag_id="partnership_indicators",
    schedule="@monthly",
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={
        "owner": "hscp-indicators",
        "retries": load_config().task_retries,
        "retry_delay": timedelta(minutes=5),
    },
    tags=["hscp", "indicators"],
    doc_md=__doc__,
):
    chain(*[PythonOperator(task_id=step, python_callable=run_step, op_kwargs={"step": step}) for step in STEPS])
