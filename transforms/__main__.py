"""`python -m transforms <step>`: the same steps the Airflow DAG runs, without Airflow.

    python -m transforms run                 # ingest, validate, build, publish
    python -m transforms ingest --run-id X   # one step of run X
    python -m transforms airflow-run         # run the DAG once in-process (make run)
    python -m transforms snapshot --from-dir ../shared/data

Steps that write shared state (ingest, build, publish) wait for a run that holds
its lock, up to --lock-timeout seconds (or HSCP_LOCK_TIMEOUT_SECONDS; default 1800),
then refuse, naming the holder. --lock-timeout 0 refuses at once.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from transforms.config import REPO_ROOT, ConfigError, load_config

STEPS = ("ingest", "validate", "build", "publish")


def _airflow_run(cfg) -> Path:
    """Run the partnership_indicators DAG once with dag.test() and return the release."""
    import os

    os.environ.setdefault("HSCP_TASK_RETRIES", "0")
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    from airflow.dag_processing.dagbag import DagBag

    from transforms.runstate import RunState

    bag = DagBag(dag_folder=str(REPO_ROOT / "dags"))
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    dag = bag.get_dag("partnership_indicators")
    dag_run = dag.test()
    if dag_run.state != "success":
        failed = [ti.task_id for ti in dag_run.get_task_instances() if ti.state != "success"]
        raise RuntimeError(f"DAG run {dag_run.run_id} ended {dag_run.state}; tasks not successful: {failed}")
    state = RunState.load(cfg.runs_dir, dag_run.run_id)
    return cfg.releases_dir / state.release_id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m transforms", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, help="configuration file (default: HSCP_CONFIG or config/pipeline.yml)")
    sub = parser.add_subparsers(dest="command", required=True)
    lock_help = ("seconds to wait for another run holding a lock before refusing "
                 "(default: HSCP_LOCK_TIMEOUT_SECONDS or 1800; 0 refuses at once)")
    for step in STEPS:
        p = sub.add_parser(step, help=f"the {step} step of one run")
        p.add_argument("--run-id", required=True)
        p.add_argument("--lock-timeout", type=float, metavar="SECONDS", help=lock_help)
    run = sub.add_parser("run", help="every step, in order, as a new run")
    run.add_argument("--run-id")
    run.add_argument("--lock-timeout", type=float, metavar="SECONDS", help=lock_help)
    sub.add_parser("airflow-run", help="run the Airflow DAG once in-process and print the release")
    snap = sub.add_parser("snapshot", help="derive reference/ from the public source files")
    snap.add_argument("--from-dir", type=Path, required=True)
    sub.add_parser("synthesise", help="generate the synthetic extracts (SMR01, A&E, delayed discharges, "
                                      "deaths) the configuration asks for, for its period")
    sub.add_parser("docs", help="regenerate docs/indicators.md from catalogue/")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("great_expectations").setLevel(logging.WARNING)

    try:
        cfg = load_config(args.config)
        if getattr(args, "lock_timeout", None) is not None:
            if not args.lock_timeout >= 0:
                raise ConfigError(f"--lock-timeout must be 0 or more seconds, got {args.lock_timeout}")
            import os

            from transforms.locking import ENV_TIMEOUT

            os.environ[ENV_TIMEOUT] = repr(args.lock_timeout)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from transforms import pipeline

    try:
        if args.command in STEPS:
            getattr(pipeline, args.command)(cfg, args.run_id)
        elif args.command == "run":
            print(f"published release: {pipeline.run_all(cfg, args.run_id)}")
            print(f"latest: {cfg.output_dir / 'latest'}")
        elif args.command == "airflow-run":
            release = _airflow_run(cfg)
            print(f"published release: {release}")
            print(f"latest: {cfg.output_dir / 'latest'}")
        elif args.command == "snapshot":
            from transforms.reference.snapshot import write_snapshot

            meta = write_snapshot(args.from_dir, cfg.reference_dir)
            print(f"wrote {len(meta['tables'])} tables to {cfg.reference_dir}")
        elif args.command == "docs":
            from transforms.catalogue import DOCS_PAGE, load_catalogue, render_markdown

            DOCS_PAGE.write_text(render_markdown(load_catalogue()))
            print(f"wrote {DOCS_PAGE}")
        elif args.command == "synthesise":
            made = pipeline.ensure_synthetic_extracts(cfg)
            print("\n".join(str(p) for p in made.values()) or "every extract is a real one: nothing to do")
    except Exception as exc:  # one clear line for the operator; the log has the traceback
        logging.getLogger("transforms").debug("failure", exc_info=True)
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
