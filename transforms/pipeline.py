"""The pipeline's steps, in order: ingest, validate, build, publish.

Each step takes the configuration and a run id, reads what earlier steps left in
data/runs/<run_id>/, and does one thing. The Airflow DAG and the CLI call exactly
these functions. Data flows one way; nothing is published unless every earlier
step succeeded.

Every step holds its run's lock, and the steps that write shared state hold that
state's lock as well (transforms.locking): ingest the archive, build the DuckDB
warehouse, publish the release folder and `latest`. A second run waits for them
(HSCP_LOCK_TIMEOUT_SECONDS), then refuses, naming the holder. Each of those steps
first removes what a killed run left behind under the same lock.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from contextlib import ExitStack, contextmanager
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from transforms import archive, inputs, locking
from transforms.build import build_variables, run_dbt
from transforms.catalogue import as_json_records, load_catalogue
from transforms.config import Config
from transforms.publish.release import publish as publish_release
from transforms.publish.release import remove_unfinished
from transforms.runstate import RunState
from transforms.sources.files import check_size
from transforms.synthetic import extracts as synthetic_extracts

log = logging.getLogger(__name__)


def new_run_id(now: datetime | None = None) -> str:
    return f"manual__{(now or datetime.now(timezone.utc)):%Y%m%dT%H%M%S%fZ}"


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
        stack.enter_context(locking.exclusive(folder / ".lock", name=f"run {run_id!r}",
                                              run_id=run_id, step=step))
        if shared is not None:
            stack.enter_context(locking.exclusive(lock_path(cfg, shared), name=shared,
                                                  run_id=run_id, step=step))
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
    return synthetic_extracts.ensure(wanted, inputs.synthetic_folder(cfg), cfg.reference_dir,
                                     cfg.period.financial_years, cfg.synthetic_seed)


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
            log.warning("%s: optional input not supplied (%s absent); its indicators are not built",
                        name, cfg.public[name])
        for item in inputs.input_files(cfg):
            check_size(item.path, inputs.limits_for(item.name))  # refuse a hostile size before copying
            entry, is_new = archive.land(item.name, item.path, cfg.raw_dir, restricted=item.restricted)
            log.info("%s: %s vintage %s", item.name, "archived" if is_new else "already archived",
                     entry.vintage)
            state.inputs[item.name] = entry
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
            state.validated = state.built = False
            state.save(cfg.runs_dir)
        _remove_abandoned_staging(cfg)
        folder = run_dir(cfg, run_id)
        staged_tmp = folder / "staged.tmp"
        shutil.rmtree(staged_tmp, ignore_errors=True)
        staged_tmp.mkdir(parents=True)
        reference_sets: dict[str, set[str]] = {}
        failures = []
        for name in [n for n in inputs.ALL_INPUTS if n in state.inputs]:  # geography first
            entry = state.inputs[name]
            label = f"{entry.original_name} ({name}, vintage {entry.vintage})"
            unavailable = required_reference_sets(name) - set(reference_sets)
            if unavailable and failures:  # what it is checked against failed: say so, check the rest
                failures.append(not_checked(name, label, unavailable))
                continue
            typed, found, read_warnings = validate_file(name, Path(entry.path), reference_sets,
                                                        period=cfg.period, label=label)
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


def build(cfg: Config, run_id: str) -> RunState:
    """Build every dbt model and run every dbt test on the staged inputs."""
    _require(RunState.load(cfg.runs_dir, run_id).validated, run_id,
             "inputs not validated; run the validate step first")
    with _locked(cfg, run_id, "build", shared="warehouse"):
        state = RunState.load(cfg.runs_dir, run_id)  # again: it may have changed while waiting
        _require(state.validated, run_id, "inputs not validated; run the validate step first")
        if state.built:  # building again: the marts are not trusted until it finishes
            state.built = False
            state.save(cfg.runs_dir)
        folder = run_dir(cfg, run_id)
        for leftover in (cfg.warehouse, cfg.warehouse.with_name(cfg.warehouse.name + ".wal")):
            if leftover.exists():  # a WAL left by a killed build holds record-level rows too
                os.chmod(leftover, 0o600)
        run_dbt(["build"], warehouse=cfg.warehouse, staged_dir=folder / "staged",
                marts_dir=folder / "marts", target_dir=folder / "dbt_target",
                variables=build_variables(cfg, state))
        os.chmod(cfg.warehouse, 0o600)  # it holds restricted record-level tables
        state.built = True
        state.save(cfg.runs_dir)
    return state


def _require(condition: bool, run_id: str, message: str) -> None:
    if not condition:
        raise RuntimeError(f"run {run_id}: {message}")


def _lookup_summary(folder: Path) -> dict:
    lookup = pd.read_parquet(folder / "staged" / f"{inputs.LOCALITY_LOOKUP}.parquet")
    basis = lookup["lookup_basis"] if "lookup_basis" in lookup else pd.Series(["as supplied"] * len(lookup))
    return {"locality_lookup_datazones_by_basis": basis.fillna("as supplied").value_counts().sort_index().to_dict()}


def _release_inputs(state: RunState) -> tuple[list[dict], list[dict]]:
    """The inputs as the manifest lists them (content only) and their provenance.

    The manifest's `origin` is the file's name; where it came from (path or URL) and
    when it was retrieved go to the release's provenance.json, except for a restricted
    extract, whose location is itself not for publication.
    """
    listed, provenance = [], []
    for e in state.inputs.values():
        d = e.manifest()
        d["origin"] = e.original_name
        d["warnings"] = [*e.warnings, *state.read_warnings.get(e.source, [])]
        listed.append(d)
        provenance.append({"source": e.source, "vintage": e.vintage,
                           "origin": e.original_name if e.restricted else e.origin,
                           "retrieved_at": e.retrieved_at})
    return listed, provenance


def _source_supplied(indicator, state: RunState) -> bool:
    """False for an indicator built from an optional published aggregate this run did not have."""
    return indicator.source_extract not in inputs.PUBLIC_AGGREGATES or indicator.source_extract in state.inputs


def _restricted_ids(folder: Path, state: RunState):
    """The identifier columns of the run's record-level extracts, batch by batch: none may reach a release."""
    import pyarrow.parquet as pq

    from transforms.publish.disclosure import is_identifier_column

    for name in sorted(n for n, entry in state.inputs.items() if entry.restricted):
        path = folder / "staged" / f"{name}.parquet"
        if path.is_file():
            parquet = pq.ParquetFile(path)
            columns = [c for c in parquet.schema_arrow.names if is_identifier_column(c)]
            if columns:
                for batch in parquet.iter_batches(batch_size=1 << 18, columns=columns):
                    yield from batch.columns


def _indicator_outputs(folder: Path, marts: list[Path], staging: Path, threshold: int) -> tuple[dict, dict]:
    """The release's indicator dataset (levels above data zones, after disclosure control) and its summary.

    Every level, unsuppressed, is written to data/runs/<run_id>/restricted/indicators/
    (and the marts made) owner-only: it is for authorised analysts, never for a release.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from transforms.publish import dataset, disclosure

    table = dataset.unify(marts)
    dataset.make_private(folder / "marts")
    dataset.write_restricted(table, folder / "restricted")
    withheld = list(disclosure.RESTRICTED_LEVELS)
    publishable = table.filter(pc.invert(pc.is_in(table["geography_level"], value_set=pa.array(withheld))))
    publishable, report = disclosure.suppress(publishable, threshold=threshold, linked=disclosure.LINKED_INDICATORS)
    outputs = dataset.write_partitioned(publishable, staging)
    summary = {"dataset": {"path": dataset.DATASET_DIR, "format": "parquet", "partitioning": "hive",
                           "partition_columns": list(dataset.PARTITIONS),
                           "geography_levels": sorted(set(publishable["geography_level"].to_pylist())),
                           "indicator_ids": sorted(set(publishable["indicator_id"].to_pylist()))},
               "disclosure_control": {**report.manifest(), "withheld_levels": withheld}}
    return outputs, summary


def publish(cfg: Config, run_id: str) -> Path:
    """Publish the built marts as a release and move `latest` to it.

    The release holds the indicator dataset after disclosure control, and is checked
    for identifiers, restricted levels and small counts before it is renamed into place.
    """
    from transforms.publish import disclosure

    _require(RunState.load(cfg.runs_dir, run_id).built, run_id, "nothing built; run the build step first")
    with _locked(cfg, run_id, "publish", shared="release"):
        state = RunState.load(cfg.runs_dir, run_id)
        _require(state.built, run_id, "nothing built; run the build step first")
        for leftover in remove_unfinished(cfg.output_dir):
            log.info("removed %s, left by a publish that did not finish", leftover)
        folder = run_dir(cfg, run_id)
        indicators = [i for i in load_catalogue() if _source_supplied(i, state)]
        marts = [folder / "marts" / f"{m}.parquet" for m in sorted({i.mart for i in indicators})]
        catalogue_file = folder / "indicators.json"
        catalogue_file.write_text(json.dumps(as_json_records(indicators), indent=2) + "\n")
        listed, provenance = _release_inputs(state)
        threshold = disclosure.threshold_from_env()
        staging = folder / ".publishable"
        shutil.rmtree(staging, ignore_errors=True)  # left by a killed publish
        staging.mkdir()
        try:
            outputs, summary = _indicator_outputs(folder, marts, staging, threshold)
            release = publish_release(
                outputs, releases_dir=cfg.releases_dir, inputs=listed, run_id=run_id, synthetic=state.synthetic,
                extra={**_lookup_summary(folder), **summary, "inputs_not_supplied": state.not_supplied},
                attachments=[catalogue_file],
                provenance={"inputs": provenance},
                check=lambda assembled: disclosure.assert_publishable(
                    assembled, restricted_id_values=_restricted_ids(folder, state), threshold=threshold))
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
    with locking.exclusive(folder / ".lock", name=f"run {run_id!r}", run_id=run_id, step="run"):
        for step in (ingest, validate, build):
            step(cfg, run_id)
        return publish(cfg, run_id)
