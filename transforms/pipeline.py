"""The pipeline's steps, in order: ingest, validate, build, publish.

Each step takes the configuration and a run id, reads what earlier steps left in
data/runs/<run_id>/, and does one thing. The Airflow DAG and the CLI call exactly
these functions. Data flows one way; nothing is published unless every earlier
step succeeded.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from transforms import archive, inputs
from transforms.build import run_dbt
from transforms.catalogue import as_json_records, load_catalogue
from transforms.config import Config
from transforms.publish.release import publish as publish_release
from transforms.runstate import RunState
from transforms.sources.files import check_size
from transforms.synthetic import smr01 as synthetic_smr01

log = logging.getLogger(__name__)


def new_run_id(now: datetime | None = None) -> str:
    return f"manual__{(now or datetime.now(timezone.utc)):%Y%m%dT%H%M%S%fZ}"


def run_dir(cfg: Config, run_id: str) -> Path:
    return RunState.folder(cfg.runs_dir, run_id)


def ensure_synthetic_extract(cfg: Config) -> Path | None:
    """Generate the synthetic SMR01 twin if the run uses it and it is not there yet."""
    if not cfg.uses_synthetic_smr01:
        return None
    path = inputs.synthetic_smr01_path(cfg)
    if not path.exists():
        log.info("generating the synthetic SMR01 extract %s", path.name)
        ref = synthetic_smr01.ReferenceTables.from_dir(cfg.reference_dir)
        years = cfg.period.financial_years
        episodes = synthetic_smr01.generate(ref, years, cfg.synthetic_seed)
        synthetic_smr01.write_extract(episodes, path, seed=cfg.synthetic_seed, financial_years=years)
    return path


def ingest(cfg: Config, run_id: str) -> RunState:
    """Land every input in the raw archive (a no-op for files already there)."""
    ensure_synthetic_extract(cfg)
    state = RunState(run_id=run_id)
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

    state = RunState.load(cfg.runs_dir, run_id)
    folder = run_dir(cfg, run_id)
    staged_tmp = folder / "staged.tmp"
    shutil.rmtree(staged_tmp, ignore_errors=True)
    staged_tmp.mkdir(parents=True)
    reference_sets: dict[str, set[str]] = {}
    failures = []
    for name in inputs.ALL_INPUTS:  # geography first: later suites check codes against it
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
    state = RunState.load(cfg.runs_dir, run_id)
    if not state.validated:
        raise RuntimeError(f"run {run_id}: inputs not validated; run the validate step first")
    folder = run_dir(cfg, run_id)
    run_dbt(["build"], warehouse=cfg.warehouse, staged_dir=folder / "staged",
            marts_dir=folder / "marts", target_dir=folder / "dbt_target",
            variables={"first_financial_year": cfg.period.first_financial_year,
                       "last_financial_year": cfg.period.last_financial_year,
                       "is_synthetic": state.synthetic,
                       "smr01_vintage": state.inputs[inputs.SMR01].vintage})
    os.chmod(cfg.warehouse, 0o600)  # it holds restricted record-level tables
    state.built = True
    state.save(cfg.runs_dir)
    return state


def _lookup_summary(folder: Path) -> dict:
    lookup = pd.read_parquet(folder / "staged" / f"{inputs.LOCALITY_LOOKUP}.parquet")
    basis = lookup["lookup_basis"] if "lookup_basis" in lookup else pd.Series(["as supplied"] * len(lookup))
    return {"locality_lookup_datazones_by_basis": basis.fillna("as supplied").value_counts().sort_index().to_dict()}


def publish(cfg: Config, run_id: str) -> Path:
    """Publish the built marts as a release and move `latest` to it."""
    state = RunState.load(cfg.runs_dir, run_id)
    if not state.built:
        raise RuntimeError(f"run {run_id}: nothing built; run the build step first")
    folder = run_dir(cfg, run_id)
    indicators = load_catalogue()
    marts = [folder / "marts" / f"{m}.parquet" for m in sorted({i.mart for i in indicators})]
    catalogue_file = folder / "indicators.json"
    catalogue_file.write_text(json.dumps(as_json_records(indicators), indent=2) + "\n")
    public_inputs = []
    for e in state.inputs.values():
        d = asdict(e)
        d.pop("path")
        d["warnings"] = [*e.warnings, *state.read_warnings.get(e.source, [])]
        if e.restricted:  # where a restricted extract sits is itself not for publication
            d["origin"] = e.original_name
        public_inputs.append(d)
    release = publish_release(marts, releases_dir=cfg.releases_dir, inputs=public_inputs,
                              run_id=run_id, synthetic=state.synthetic, extra=_lookup_summary(folder),
                              attachments=[catalogue_file])
    state.release_id = release.name
    state.save(cfg.runs_dir)
    return release


def run_all(cfg: Config, run_id: str | None = None) -> Path:
    """Every step in order, without Airflow."""
    run_id = run_id or new_run_id()
    for step in (ingest, validate, build):
        step(cfg, run_id)
    return publish(cfg, run_id)
