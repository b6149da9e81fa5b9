"""Run the dbt project in-process against the run's staged inputs.

DuckDB allows one writer, so the whole build is one dbt invocation (the DAG runs it
as a single task). dbtRunner keeps it in this process, so the UDF plugin and the
environment below reach dbt directly.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from transforms import inputs, progress
from transforms.config import REPO_ROOT, Config
from transforms.runstate import RunState

DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"


def build_variables(cfg: Config, state: RunState) -> dict:
    """The dbt vars of a build (read by dbt_project/macros/inputs.sql).

    `period`: the configured financial years; `is_synthetic`: whether any input of
    the run is; `inputs`: for every input, its vintage, whether it is synthetic and
    whether the run has it (`supplied`; an optional published aggregate may be
    absent). Reference inputs are there too: the population context marts carry
    their vintages.
    """
    return {
        "period": {
            "first_financial_year": cfg.period.first_financial_year,
            "last_financial_year": cfg.period.last_financial_year,
        },
        "is_synthetic": state.synthetic,
        "inputs": {
            name: {
                "vintage": entry.vintage if entry else "",
                "is_synthetic": bool(entry and entry.synthetic),
                "supplied": entry is not None,
            }
            for name, entry in ((n, state.inputs.get(n)) for n in inputs.ALL_INPUTS)
        },
    }


class BuildFailed(RuntimeError):
    """dbt reported failed models or tests."""


@contextlib.contextmanager
def _environment(values: dict[str, str]):
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _count_node(event, count: progress.Counter) -> None:
    """Advance the build's counter on each node dbt finishes (total from its start lines)."""
    name = event.info.name
    if name == "LogStartLine" and event.data.total:
        count.set_total(event.data.total)
    elif name == "NodeFinished":
        count.advance(event.data.node_info.unique_id)


def run_dbt(
    args: list[str],
    *,
    warehouse: Path,
    staged_dir: Path,
    marts_dir: Path,
    target_dir: Path,
    variables: dict,
    controlled_dir: Path | None = None,
    step: str = "build",
) -> list[dict]:
    """Invoke dbt with the run's paths and variables; return per-node results.

    `controlled_dir` holds the disclosure-controlled indicators and peer families that
    the comparison models read (the compare step's); `step` names the progress counter.
    """
    from dbt.cli.main import dbtRunner  # heavy import: only when building

    marts_dir.mkdir(parents=True, exist_ok=True)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    env = {
        "HSCP_WAREHOUSE": str(warehouse),
        "HSCP_STAGED_DIR": str(staged_dir),
        "HSCP_MARTS_DIR": str(marts_dir),
        "HSCP_CONTROLLED_DIR": str(controlled_dir or target_dir / "controlled"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }
    # dbt's own lines (two a node, over a thousand a build) go to its log file only;
    # the progress counter shows how far the build is, and failures are raised below.
    cli = [
        "--quiet",
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--vars",
        json.dumps(variables),
        "--target-path",
        str(target_dir),
        "--log-path",
        str(target_dir / "logs"),
    ]
    with _environment(env), progress.counter(step, "dbt nodes") as count:
        result = dbtRunner(callbacks=[lambda event: _count_node(event, count)]).invoke(cli)
    nodes = []
    if result.result is not None and hasattr(result.result, "results"):
        for r in result.result.results:
            nodes.append({"node": r.node.unique_id, "status": str(r.status), "message": r.message})
    if not result.success:
        failed = [n for n in nodes if n["status"] in {"error", "fail", "runtime error"}]
        detail = "; ".join(f"{n['node']}: {n['message']}" for n in failed[:5])
        raise BuildFailed(f"dbt {' '.join(args)} failed: {detail or result.exception}")
    return nodes
