"""Partnership indicators: ingest -> validate -> build -> publish.

Wiring only. Every step is a function in transforms.pipeline (also runnable as
`python -m transforms <step>`); imports happen inside tasks so that parsing this
file stays fast. One dbt build task, and one active run, because DuckDB allows a
single writer.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import dag, task

DEFAULT_ARGS = {
    "owner": "hscp-indicators",
    "retries": int(os.environ.get("HSCP_TASK_RETRIES", "1")),
    "retry_delay": timedelta(minutes=5),
}


def _run_step(step: str, run_id: str) -> str:
    from transforms import pipeline
    from transforms.config import load_config

    result = getattr(pipeline, step)(load_config(), run_id)
    return str(result) if step == "publish" else step


@dag(
    dag_id="partnership_indicators",
    schedule="@monthly",
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["hscp", "indicators"],
)
def partnership_indicators():
    @task
    def ingest(run_id=None):
        return _run_step("ingest", run_id)

    @task
    def validate(run_id=None):
        return _run_step("validate", run_id)

    @task
    def build(run_id=None):
        return _run_step("build", run_id)

    @task
    def publish(run_id=None):
        return _run_step("publish", run_id)

    ingest() >> validate() >> build() >> publish()


partnership_indicators()
