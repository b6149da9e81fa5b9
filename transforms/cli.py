"""`hscp <command>` (or `python -m transforms <command>`): the pipeline without Airflow, and its tools.

    hscp run                    every step, in order, as a new run
    hscp ingest --run-id X      one step of run X (ingest, validate, build, publish)
    hscp airflow-run            run the Airflow DAG once in-process (what `make run` does)
    hscp synthesise             generate the synthetic twins the configuration asks for
    hscp snapshot --from-dir ../shared/data
    hscp docs                   regenerate the pages generated from the code and catalogue

Every command reads config/pipeline.yml (or --config FILE, or HSCP_CONFIG) with its
HSCP_<SECTION>__<KEY> overrides (docs/configuration.md). Steps that write shared
state wait for a run holding its lock up to `locks.timeout_seconds` (--lock-timeout
for one command), then refuse, naming the holder.

Exit status: 0 done, 1 the work failed (the message says why), 2 the command or the
configuration is wrong.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
from pathlib import Path

from transforms import STEPS, progress
from transforms.config import REPO_ROOT, Config, ConfigError, load_config

log = logging.getLogger("transforms")

STEP_HELP = {
    "ingest": "land every input in the raw archive (generating the synthetic twins the run uses)",
    "validate": "check every archived input with its Great Expectations suite and stage typed Parquet",
    "build": "build the indicator marts and run their dbt tests on the staged inputs",
    "compare": "apply disclosure control, assign peer families and build the comparisons on what may be published",
    "publish": "publish the indicators, comparisons and revisions as a release, then move `latest` to it",
}


def _lock_timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more seconds, got {text!r}")
    return value


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="hscp", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    top.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="configuration file (default: HSCP_CONFIG, else config/pipeline.yml)",
    )
    top.add_argument(
        "--plain", action="store_true", help="plain log lines instead of progress bars, even at a terminal"
    )
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    lock = argparse.ArgumentParser(add_help=False)
    lock.add_argument(
        "--lock-timeout",
        type=_lock_timeout,
        metavar="SECONDS",
        help="seconds to wait for another run holding a lock before refusing "
        "(default: locks.timeout_seconds, 1800; 0 refuses at once)",
    )
    run = sub.add_parser(
        "run",
        parents=[lock],
        help="every step, in order, as a new run",
        description="Ingest, validate, build and publish as one new run, then print a summary.",
    )
    run.add_argument("--run-id", help="id of the new run (default: manual__<UTC time>)")
    for step in STEPS:
        one = sub.add_parser(
            step, parents=[lock], help=STEP_HELP[step], description=f"The {step} step of one run: {STEP_HELP[step]}."
        )
        one.add_argument("--run-id", required=True, help="the run (its folder is data/runs/<run_id>)")
    sub.add_parser(
        "airflow-run",
        help="run the Airflow DAG once in-process and print the release",
        description="Run the partnership_indicators DAG once with dag.test(), without retries, "
        "and fail unless every task succeeded. The DAG's tasks read HSCP_CONFIG "
        "(or config/pipeline.yml), so --config is refused here.",
    )
    snap = sub.add_parser(
        "snapshot",
        help="derive reference/ from the public source files",
        description="Re-derive the committed reference snapshot from the public files.",
    )
    snap.add_argument("--from-dir", type=Path, required=True, help="folder of the public files (../shared/data)")
    sub.add_parser(
        "synthesise",
        help="generate the synthetic extracts the configuration asks for",
        description="Generate the synthetic twins (SMR01, A&E, delayed discharges, deaths) "
        "of the configured period, seed and scale that are not there yet.",
    )
    sub.add_parser(
        "docs",
        help="regenerate the pages generated from the catalogue and the code",
        description="Write docs/indicators.md and the dbt macro dbt_project/macros/catalogue.sql "
        "from catalogue/*.yml, and docs/sql_functions.md from the UDF registry "
        "(transforms.udfs).",
    )
    return top


def _airflow_run(cfg: Config) -> tuple[Path, dict[str, float]]:
    """Run the partnership_indicators DAG once with dag.test(); return the release and task times."""
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    from airflow.dag_processing.dagbag import DagBag

    from transforms.runstate import RunState

    bag = DagBag(dag_folder=str(REPO_ROOT / "dags"))
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    dag = bag.get_dag("partnership_indicators")
    for task in dag.tasks:  # a failure surfaces at once instead of after a retry delay
        task.retries = 0
    dag_run = dag.test()
    instances = {ti.task_id: ti for ti in dag_run.get_task_instances()}
    if dag_run.state != "success":
        failed = [task_id for task_id, ti in instances.items() if ti.state != "success"]
        raise RuntimeError(f"DAG run {dag_run.run_id} ended {dag_run.state}; tasks not successful: {failed}")
    seconds = {step: instances[step].duration or 0.0 for step in STEPS if step in instances}
    return cfg.releases_dir / RunState.load(cfg.runs_dir, dag_run.run_id).release_id, seconds


def _print_release(cfg: Config, release: Path, seconds: dict[str, float]) -> None:
    for line in progress.summary_lines(release, seconds):
        print(line)
    print(f"published release: {release}")
    print(f"latest: {cfg.output_dir / 'latest'}")


def _command(args: argparse.Namespace, cfg: Config) -> None:
    from transforms import pipeline

    if args.command in STEPS:
        pipeline.STEP_FUNCTIONS[args.command](cfg, args.run_id)
    elif args.command == "run":
        release = pipeline.run_all(cfg, args.run_id)
        _print_release(cfg, release, progress.step_seconds())
    elif args.command == "airflow-run":
        _print_release(cfg, *_airflow_run(cfg))
    elif args.command == "snapshot":
        from transforms.reference.snapshot import write_snapshot

        meta = write_snapshot(args.from_dir, cfg.reference_dir)
        print(f"wrote {len(meta['tables'])} tables to {cfg.reference_dir}")
    elif args.command == "docs":
        from transforms.catalogue import DBT_MACRO, DOCS_PAGE, load_catalogue, render_dbt_macro, render_markdown
        from transforms.udfs.docs import write_docs

        catalogue = load_catalogue()
        DOCS_PAGE.write_text(render_markdown(catalogue))
        DBT_MACRO.write_text(render_dbt_macro(catalogue))
        print(f"wrote {DOCS_PAGE}\nwrote {DBT_MACRO}\nwrote {write_docs()}")
    elif args.command == "synthesise":
        made = pipeline.ensure_synthetic_extracts(cfg)
        print("\n".join(str(p) for p in made.values()) or "every extract is a real one: nothing to do")


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    # Under airflow-run the tasks log through Airflow, so they get plain lines too.
    progress.configure(interactive=False if args.plain or args.command == "airflow-run" else None)
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    try:
        if args.command == "airflow-run" and args.config is not None:
            raise ConfigError(
                "airflow-run: the DAG's tasks read HSCP_CONFIG (or config/pipeline.yml); "
                "set HSCP_CONFIG instead of --config"
            )
        cfg = load_config(args.config)
        if getattr(args, "lock_timeout", None) is not None:
            cfg = dataclasses.replace(cfg, lock_timeout_seconds=args.lock_timeout)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        _command(args, cfg)
    except Exception as exc:  # one clear line for the operator; the log has the traceback
        log.debug("failure", exc_info=True)
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0
