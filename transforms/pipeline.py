"""The pipeline's steps, in order: ingest, validate, build, compare, publish.

Each step takes the configuration and a run id, reads what earlier steps left in
data/runs/<run_id>/, and does one thing. The Airflow DAG and the CLI call exactly
these functions. Data flows one way; nothing is published unless every earlier
step succeeded.

Every step holds its run's lock, and the steps that write shared state hold that
state's lock as well (transforms.locking): ingest the archive, build and compare
the DuckDB warehouse, publish the release folder and `latest`. A second run waits for them
(`locks.timeout_seconds`), then refuses, naming the holder. Each of those steps
first removes what a killed run left behind under the same lock.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from transforms import STEPS, archive, inputs, locking, progress
from transforms.build import build_variables, run_dbt
from transforms.catalogue import as_json_records, load_catalogue
from transforms.config import Config
from transforms.publish import contents
from transforms.publish.release import publish as publish_release
from transforms.publish.release import remove_unfinished
from transforms.runstate import RunState
from transforms.sources.files import check_size
from transforms.synthetic import extracts as synthetic_extracts

log = logging.getLogger(__name__)

#: The dbt tag of the models the compare step builds (after disclosure control).
COMPARISONS_TAG = "comparisons"


def new_run_id(now: datetime | None = None) -> str:
    return f"manual__{(now or datetime.now(UTC)):%Y%m%dT%H%M%S%fZ}"


def run_dir(cfg: Config, run_id: str) -> Path:
    return RunState.folder(cfg.runs_dir, run_id)


def lock_path(cfg: Config, name: str) -> Path:
    """The lock file of a shared resource: archive, warehouse or release."""
    return cfg.data_dir / "locks" / f"{name}.lock"


@contextmanager
def _locked(cfg: Config, run_id: str, step: str, shared: str | None = None):
    """Hold the run's lock and, if given, one shared lock (always in this order)."""
    folder = run_dir(cfg, run_id)
    folder.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        stack.enter_context(progress.step(step))
        stack.enter_context(
            locking.exclusive(
                folder / ".lock", name=f"run {run_id!r}", run_id=run_id, step=step, timeout=cfg.lock_timeout_seconds
            )
        )
        if shared is not None:
            stack.enter_context(
                locking.exclusive(
                    lock_path(cfg, shared), name=shared, run_id=run_id, step=step, timeout=cfg.lock_timeout_seconds
                )
            )
        log.info("%s: started (run %s)", step, run_id)
        yield
        log.info("%s: done (run %s)", step, run_id)


def _remove_abandoned_staging(cfg: Config) -> None:
    """Delete `staged.tmp` of runs whose validate died (no process holds their lock)."""
    if not cfg.runs_dir.is_dir():
        return
    for tmp in sorted(cfg.runs_dir.glob("*/staged.tmp")):
        with locking.try_exclusive(tmp.parent / ".lock") as free:
            if free:
                log.info("removing %s, left by a validate step that did not finish", tmp)
                shutil.rmtree(tmp, ignore_errors=True)


def ensure_synthetic_extracts(cfg: Config) -> dict[str, Path]:
    """Generate the synthetic twins the run uses that are not there yet; return their paths."""
    wanted = cfg.synthetic_extracts
    if not wanted:
        return {}
    return synthetic_extracts.ensure(
        wanted,
        inputs.synthetic_folder(cfg),
        cfg.reference_dir,
        cfg.period.financial_years,
        cfg.synthetic_seed,
        cfg.synthetic_scale,
    )


def ingest(cfg: Config, run_id: str) -> RunState:
    """Land every input in the raw archive (a no-op for files already there)."""
    with _locked(cfg, run_id, "ingest", shared="archive"):
        for leftover in archive.remove_unfinished_landings(cfg.raw_dir):
            log.info("removed %s, left by an ingest that did not finish", leftover)
        for leftover in sorted(inputs.synthetic_folder(cfg).glob("*.tmp")):
            log.info("removed %s, left by a synthetic extract generation that did not finish", leftover)
            leftover.unlink(missing_ok=True)
        ensure_synthetic_extracts(cfg)
        state = RunState(run_id=run_id, not_supplied=inputs.missing_optional_inputs(cfg))
        for name in state.not_supplied:
            log.warning(
                "%s: optional input not supplied (%s absent); its indicators are not built", name, cfg.public[name]
            )
        files = inputs.input_files(cfg)
        with progress.counter("ingest", "input", total=len(files), every_item=True) as count:
            for item in files:
                check_size(item.path, cfg.limits_for(item.name))  # refuse a hostile size before copying
                entry, is_new = archive.land(item.name, item.path, cfg.raw_dir, restricted=item.restricted)
                state.inputs[item.name] = entry
                count.advance(f"{item.name} {'archived' if is_new else 'already archived'}, vintage {entry.vintage}")
        state.save(cfg.runs_dir)
    return state


def validate(cfg: Config, run_id: str) -> RunState:
    """Run the GX suite of every archived input; stage typed Parquet only if all pass."""
    from transforms.validate import (
        add_reference_sets,
        check_or_raise,
        not_checked,
        required_reference_sets,
        validate_file,
    )

    RunState.load(cfg.runs_dir, run_id)  # refuse a run never ingested before taking any lock
    with _locked(cfg, run_id, "validate"):
        state = RunState.load(cfg.runs_dir, run_id)
        if state.validated or state.built:  # validating again: not trusted until it passes again
            state.validated = state.built = state.compared = False
            state.save(cfg.runs_dir)
        _remove_abandoned_staging(cfg)
        folder = run_dir(cfg, run_id)
        staged_tmp = folder / "staged.tmp"
        shutil.rmtree(staged_tmp, ignore_errors=True)
        staged_tmp.mkdir(parents=True)
        reference_sets: dict[str, set[str]] = {}
        failures = []
        for name in progress.items(
            [n for n in inputs.ALL_INPUTS if n in state.inputs],  # geography first
            step_name="validate",
            what="input",
        ):
            entry = state.inputs[name]
            label = f"{entry.original_name} ({name}, vintage {entry.vintage})"
            unavailable = required_reference_sets(name) - set(reference_sets)
            if unavailable and failures:  # what it is checked against failed: say so, check the rest
                failures.append(not_checked(name, label, unavailable))
                continue
            typed, found, read_warnings = validate_file(
                name, Path(entry.path), reference_sets, period=cfg.period, label=label, limits=cfg.limits_for(name)
            )
            failures.extend(found)
            state.read_warnings[name] = read_warnings
            if found:
                continue
            add_reference_sets(name, typed, reference_sets)
            target = staged_tmp / f"{name}.parquet"
            typed.to_parquet(target, index=False)
            if name in inputs.RESTRICTED:
                os.chmod(target, 0o600)
        try:
            check_or_raise(failures, folder / "validation_report.md")
        except Exception:
            shutil.rmtree(staged_tmp, ignore_errors=True)  # nothing half-staged stays behind
            raise
        staged = folder / "staged"
        shutil.rmtree(staged, ignore_errors=True)
        os.rename(staged_tmp, staged)
        state.validated = True
        state.save(cfg.runs_dir)
        return state


def _dbt_build(cfg: Config, state: RunState, selection: list[str], **options) -> None:
    """`dbt build` of the selected models on the run's staged inputs, into its marts folder.

    The marts hold unsuppressed counts, so the folder is made owner-only afterwards,
    whether or not the build succeeded.
    """
    from transforms.publish.dataset import make_private

    folder = run_dir(cfg, state.run_id)
    try:
        run_dbt(
            ["build", *selection],
            warehouse=cfg.warehouse,
            staged_dir=folder / "staged",
            marts_dir=folder / "marts",
            target_dir=folder / "dbt_target",
            variables=build_variables(cfg, state),
            **options,
        )
    finally:
        make_private(folder / "marts")


def build(cfg: Config, run_id: str) -> RunState:
    """Build the indicator marts (every dbt model but the comparisons) and run their dbt tests."""
    _require(RunState.load(cfg.runs_dir, run_id).validated, run_id, "inputs not validated; run the validate step first")
    with _locked(cfg, run_id, "build", shared="warehouse"):
        state = RunState.load(cfg.runs_dir, run_id)  # again: it may have changed while waiting
        _require(state.validated, run_id, "inputs not validated; run the validate step first")
        if state.built:  # building again: the marts are not trusted until it finishes
            state.built = state.compared = False
            state.save(cfg.runs_dir)
        for leftover in (cfg.warehouse, cfg.warehouse.with_name(cfg.warehouse.name + ".wal")):
            if leftover.exists():  # a WAL left by a killed build holds record-level rows too
                os.chmod(leftover, 0o600)
        _dbt_build(cfg, state, ["--exclude", f"tag:{COMPARISONS_TAG}"])
        os.chmod(cfg.warehouse, 0o600)  # it holds restricted record-level tables
        state.built = True
        state.save(cfg.runs_dir)
    return state


def compare(cfg: Config, run_id: str) -> RunState:
    """Apply disclosure control to the indicators, assign peer families, and build the comparison models.

    The comparisons (dbt models tagged `comparisons`) read the controlled indicators
    only, so a rank, funnel position or opportunity is never built on a suppressed
    count: it is missing where the count is.
    """
    _require(RunState.load(cfg.runs_dir, run_id).built, run_id, "nothing built; run the build step first")
    with _locked(cfg, run_id, "compare", shared="warehouse"):
        state = RunState.load(cfg.runs_dir, run_id)
        _require(state.built, run_id, "nothing built; run the build step first")
        if state.compared:
            state.compared = False
            state.save(cfg.runs_dir)
        folder = run_dir(cfg, run_id)
        indicators = contents.supplied_indicators(load_catalogue(), state)
        marts = [folder / "marts" / f"{m}.parquet" for m in sorted({i.mart for i in indicators})]
        controlled = folder / contents.CONTROLLED_DIR
        shutil.rmtree(controlled, ignore_errors=True)  # left by an earlier compare of this run
        controlled.mkdir()
        summary = contents.write_controlled(folder, marts, controlled, cfg.disclosure_threshold)
        families = contents.write_peer_families(folder, controlled, cfg.peer_families)
        log.info(
            "compare: %s; families %s",
            summary["disclosure_control"]["rule"],
            ", ".join(f"{k} {v}" for k, v in families.groupby("geography_level")["family_id"].nunique().items()),
        )
        _dbt_build(cfg, state, ["--select", f"tag:{COMPARISONS_TAG}"], controlled_dir=controlled, step="compare")
        state.compared = True
        state.save(cfg.runs_dir)
    return state


def _require(condition: bool, run_id: str, message: str) -> None:
    if not condition:
        raise RuntimeError(f"run {run_id}: {message}")


def publish(cfg: Config, run_id: str) -> Path:
    """Publish the controlled indicators and the comparisons as a release and move `latest` to it.

    The release holds the indicator dataset after disclosure control (the compare
    step's), the comparison datasets built on it, and the revisions since the release
    `latest` pointed at; it is checked for identifiers, restricted levels and small
    counts before it is renamed into place.
    """
    from transforms.publish import release_scan, revisions
    from transforms.publish.release import code_version

    _require(RunState.load(cfg.runs_dir, run_id).compared, run_id, "nothing compared; run the compare step first")
    with _locked(cfg, run_id, "publish", shared="release"):
        state = RunState.load(cfg.runs_dir, run_id)
        _require(state.compared, run_id, "nothing compared; run the compare step first")
        for leftover in remove_unfinished(cfg.output_dir):
            log.info("removed %s, left by a publish that did not finish", leftover)
        folder = run_dir(cfg, run_id)
        indicators = contents.supplied_indicators(load_catalogue(), state)
        catalogue_file = folder / "indicators.json"
        catalogue_file.write_text(json.dumps(as_json_records(indicators), indent=2) + "\n")
        listed, provenance = contents.release_inputs(state)
        threshold = cfg.disclosure_threshold
        staging = folder / ".publishable"
        shutil.rmtree(staging, ignore_errors=True)  # left by a killed publish
        staging.mkdir()
        try:
            controlled, disclosure = contents.read_controlled(folder / contents.CONTROLLED_DIR)
            # Read before publish_release, which moves `latest`.
            base = revisions.previous_release(cfg.output_dir, listed, code_version(), disclosure["disclosure_control"])
            previous = revisions.read_previous(base)
            titles = {i.id: i.title for i in indicators}
            outputs, summary = contents.release_outputs(folder, staging, controlled, disclosure, previous, titles)
            release = publish_release(
                outputs,
                releases_dir=cfg.releases_dir,
                inputs=listed,
                run_id=run_id,
                synthetic=state.synthetic,
                extra={
                    **contents.lookup_summary(folder / "staged"),
                    **summary,
                    "inputs_not_supplied": state.not_supplied,
                },
                attachments=[catalogue_file],
                provenance={"inputs": provenance},
                check=lambda assembled: release_scan.assert_publishable(
                    assembled,
                    restricted_id_values=contents.restricted_ids(folder / "staged", state),
                    threshold=threshold,
                ),
            )
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        log.info("publish: release %s, latest points at it", release.name)
        state.release_id = release.name
        state.save(cfg.runs_dir)
    return release


def run_all(cfg: Config, run_id: str | None = None) -> Path:
    """Every step in order, without Airflow, holding the run's lock throughout."""
    run_id = run_id or new_run_id()
    folder = run_dir(cfg, run_id)
    folder.mkdir(parents=True, exist_ok=True)
    with locking.exclusive(
        folder / ".lock", name=f"run {run_id!r}", run_id=run_id, step="run", timeout=cfg.lock_timeout_seconds
    ):
        for name in STEPS[:-1]:
            STEP_FUNCTIONS[name](cfg, run_id)
        return publish(cfg, run_id)


#: Each step of transforms.STEPS, by name: what the DAG's tasks and the CLI call.
STEP_FUNCTIONS = {"ingest": ingest, "validate": validate, "build": build, "compare": compare, "publish": publish}
