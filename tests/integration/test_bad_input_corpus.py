"""The bad-input corpus: every case in tests/corpus/<case_id>/ fails or warns as it declares.

A case folder holds the input file, named as a user would name it, and
`expected.yaml`:

* `source`: the pipeline input it is offered as (transforms.inputs.ALL_INPUTS);
* `defect`: what is wrong with it, in words;
* `outcome`: `error` (validation fails) or `warning` (benign: repaired and recorded);
* `file`: the input file's name;
* `expect`: for an error, the parts its message must contain: `rule` (the expectation
  or reader check), and where they apply `column`, `row` (1-based data row), `line`
  (1-based line of the file) and `value` (an example value or what was found); for a
  warning, `warning`: the texts the recorded warnings must contain;
* `absent` (optional): strings that must appear nowhere in the messages or report
  (identifiers of a restricted extract);
* `generate` (optional): instead of a committed file, build it at test time from
  `from` (a CSV or Parquet file in the repository) with `mutations`, `encoding`, `bom` or
  `pad_to_bytes`, for inputs that must hold every data zone (the locality lookup) or
  that would be too big to commit;
* `environment` (optional): configuration overrides of the case (e.g. a size limit);
* `full_run` (optional): also run the whole pipeline on it (ingest, validate, and the
  build and publish that must not happen) and check that nothing published or
  archived before changed; `report_also` lists more text that run's report must hold.

`tests/corpus/_good/` holds the good files the small cases were made from; they must
pass without a warning, so each case fails only for its own defect.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests.support import TEST_YEAR, write_config
from transforms import inputs, pipeline
from transforms.config import REPO_ROOT, Period, load_config
from transforms.publish.release import publish as publish_release
from transforms.runstate import RunState
from transforms.validate import (
    ValidationFailed,
    add_reference_sets,
    describe,
    validate_file,
    write_report,
)

CORPUS = REPO_ROOT / "tests" / "corpus"
GOOD = CORPUS / "_good"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.yaml").is_file())
FULL_RUN_CASES = [c for c in CASES if yaml.safe_load((CORPUS / c / "expected.yaml").read_text()).get("full_run")]
PERIOD = Period(TEST_YEAR, TEST_YEAR)  # financial year 2022/23, as the small SMR01 files are
GOOD_FILES = {
    "smr01_episodes_fy2022.csv": inputs.SMR01,
    "hscp_localities.csv": "hscp_localities",
    "datazone_population_2021.csv": "datazone_population_2021",
    "hscp_population_estimates.csv": "hscp_population_estimates",
    "simd2020v2_datazone.csv": "simd2020v2_datazone",
    "urban_rural_dz2011.csv": "urban_rural_dz2011",
    "geography_code_changes.csv": "geography_code_changes",
}


def load_case(case_id: str) -> dict:
    spec = yaml.safe_load((CORPUS / case_id / "expected.yaml").read_text(encoding="utf-8"))
    assert spec["source"] in inputs.ALL_INPUTS, spec
    assert spec["outcome"] in ("error", "warning"), spec
    return spec


# --------------------------------------------------------------------------- building case files


def _mutate(frame: pd.DataFrame, m: dict) -> pd.DataFrame:
    if "rename" in m:
        return frame.rename(columns=m["rename"])
    if "add_column" in m:
        return frame.assign(**{m["add_column"]: m["value"]})
    if "drop_row" in m:
        return frame.drop(index=m["drop_row"] - 1).reset_index(drop=True)
    if "where" in m:
        mask = pd.Series(True, index=frame.index)
        for column, value in m["where"].items():
            mask &= frame[column] == value
        assert mask.any(), m
        frame.loc[mask, m["column"]] = m["value"]
        return frame
    row = m["row"] - 1  # rows are 1-based data rows, as in the validation report
    if "value_from_row" in m:
        value = frame.at[m["value_from_row"] - 1, m["column"]]
    elif "repeat" in m:
        value = m["repeat"] * m["times"]
    else:
        value = m["value"]
    frame.at[row, m["column"]] = value
    return frame


def materialise(case_id: str, spec: dict, dest: Path) -> Path:
    """The case's input file under `dest`: a copy of the committed one, or generated."""
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / spec["file"]
    gen = spec.get("generate")
    if gen is None:
        shutil.copyfile(CORPUS / case_id / spec["file"], target)
        return target
    base = REPO_ROOT / gen["from"]
    frame = (
        pd.read_parquet(base).astype(str)
        if base.suffix == ".parquet"
        else pd.read_csv(base, dtype=str, keep_default_na=False)
    )
    for m in gen.get("mutations", []):
        frame = _mutate(frame, m)
    text = frame.to_csv(index=False, lineterminator="\n")
    data = text.encode(gen.get("encoding", "utf-8"))
    if gen.get("bom"):
        data = b"\xef\xbb\xbf" + data
    with open(target, "wb") as fh:
        fh.write(data)
        if "pad_to_bytes" in gen:  # the same rows again and again: a file far larger than expected
            rows = text.split("\n", 1)[1].encode()
            written = len(data)
            while written <= gen["pad_to_bytes"]:
                fh.write(rows)
                written += len(rows)
    return target


# --------------------------------------------------------------------------- checks


def _reference_path(name: str) -> Path:
    for suffix in (".parquet", ".csv"):
        if (REPO_ROOT / "reference" / f"{name}{suffix}").is_file():
            return REPO_ROOT / "reference" / f"{name}{suffix}"
    raise FileNotFoundError(name)


@pytest.fixture(scope="module")
def reference_sets() -> dict[str, set[str]]:
    """The code sets the pipeline derives from the committed geography, the same way."""
    sets: dict[str, set[str]] = {}
    for name in ("geography_dz2011", "geography_code_changes"):
        typed, failures, _ = validate_file(name, _reference_path(name), sets)
        assert failures == []
        add_reference_sets(name, typed, sets)
    return sets


def _message_has(text: str, file_name: str, expect: dict) -> bool:
    parts = [file_name, expect["rule"]]
    parts += [expect["column"]] if "column" in expect else []
    parts += [f"row {expect['row']}"] if "row" in expect else []
    parts += [f"line {expect['line']}"] if "line" in expect else []
    parts += [str(expect["value"])] if "value" in expect else []
    return all(p in text for p in parts)


def check_error(spec: dict, failures: list, file_name: str, report: str, extra_texts: list[str]) -> None:
    expect = spec["expect"]
    assert failures, f"{spec['defect']}: expected a failure, validation passed"
    candidates = [f for f in failures if f.expectation == expect["rule"]]
    assert candidates, f"no {expect['rule']} failure among {[describe(f) for f in failures]}"
    texts = [describe(f) for f in candidates]
    assert any(_message_has(t, file_name, expect) for t in texts), (expect, texts)
    assert _message_has(report, file_name, expect), (expect, report)
    for secret in spec.get("absent", []):
        for text in [report, *[describe(f) for f in failures], *extra_texts]:
            assert secret not in text


# --------------------------------------------------------------------------- the corpus


def test_the_corpus_covers_errors_and_benign_cases_of_every_kind():
    specs = {c: load_case(c) for c in CASES}
    outcomes = [s["outcome"] for s in specs.values()]
    assert len(CASES) >= 30
    assert outcomes.count("warning") >= 5 and outcomes.count("error") >= 25
    sources = {s["source"] for s in specs.values()}
    assert {inputs.LOCALITY_LOOKUP, inputs.SMR01} <= sources and sources & set(inputs.REFERENCE_INPUTS)
    assert {specs[c]["source"] for c in FULL_RUN_CASES} >= {inputs.LOCALITY_LOOKUP, inputs.SMR01}
    assert {specs[c]["source"] for c in FULL_RUN_CASES} & set(inputs.REFERENCE_INPUTS)
    for case_id, spec in specs.items():  # small, or generated at test time
        if "generate" not in spec:
            assert (CORPUS / case_id / spec["file"]).stat().st_size < 4096, case_id


@pytest.mark.parametrize("file_name", sorted(GOOD_FILES))
def test_the_good_files_the_cases_are_made_from_pass_without_warnings(file_name, reference_sets):
    typed, failures, warnings = validate_file(GOOD_FILES[file_name], GOOD / file_name, reference_sets, period=PERIOD)
    assert failures == [] and warnings == []
    assert len(typed) > 0


@pytest.mark.parametrize("case_id", CASES)
def test_case(case_id, reference_sets, tmp_path):
    spec = load_case(case_id)
    cfg = load_config(environ={k: str(v) for k, v in (spec.get("environment") or {}).items()})
    path = materialise(case_id, spec, tmp_path / "in")
    typed, failures, warnings = validate_file(
        spec["source"], path, reference_sets, period=PERIOD, label=path.name, limits=cfg.limits_for(spec["source"])
    )
    if spec["outcome"] == "warning":
        assert failures == [], [describe(f) for f in failures]
        for part in spec["expect"]["warning"]:
            assert any(part in w for w in warnings), (part, warnings)
        assert len(typed) > 0
        return
    report = write_report(failures, tmp_path / "validation_report.md").read_text()
    check_error(spec, failures, path.name, report, [str(ValidationFailed(failures, None)), *warnings])


# --------------------------------------------------------------------------- full runs


def tree_digest(root: Path) -> dict[str, str]:
    """Every file (SHA-256), symlink (target) and folder under root, by relative path."""
    out: dict[str, str] = {}
    if not root.exists():
        return out
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if p.is_symlink():
            out[rel] = "symlink -> " + os.readlink(p)
        elif p.is_file():
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
        else:
            out[rel] = "folder"
    return out


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """Good inputs already archived and a release already published, as before a bad run."""
    root = tmp_path_factory.mktemp("corpus-runs")
    cfg = load_config(write_config(root, smr01=GOOD / "smr01_episodes_fy2022.csv"))
    pipeline.ingest(cfg, "earlier-good-inputs")
    marts = root / "previous.parquet"
    pd.DataFrame({"x": [1]}).to_parquet(marts)
    previous = publish_release(
        [marts], releases_dir=cfg.releases_dir, inputs=[{"sha256": "00" * 32}], run_id="earlier", synthetic=False
    )
    return root, previous


def _case_config(root: Path, spec: dict, case_input: Path, folder: Path) -> Path:
    """A config for the shared workspace whose input `spec['source']` is the case file."""
    overrides = {"smr01": GOOD / "smr01_episodes_fy2022.csv"}
    reference_dir = REPO_ROOT / "reference"
    if spec["source"] == inputs.SMR01:
        overrides["smr01"] = case_input
    elif spec["source"] == inputs.LOCALITY_LOOKUP:
        overrides["locality_lookup"] = case_input
    else:  # a reference input: a reference folder with this one file replaced
        reference_dir = folder / "reference"
        reference_dir.mkdir()
        for f in (REPO_ROOT / "reference").iterdir():
            if f.suffix in (".csv", ".parquet") and f.stem != spec["source"]:
                shutil.copyfile(f, reference_dir / f.name)
        assert case_input.name == f"{spec['source']}.csv"
        shutil.copyfile(case_input, reference_dir / case_input.name)
    raw = yaml.safe_load(write_config(root, **overrides).read_text())
    raw["paths"]["reference_dir"] = str(reference_dir)
    path = folder / "pipeline.yml"
    path.write_text(yaml.safe_dump(raw))
    return path


@pytest.mark.parametrize("case_id", FULL_RUN_CASES)
def test_a_full_run_on_the_case_stops_before_publish_and_changes_nothing(case_id, workspace, tmp_path):
    root, previous = workspace
    spec = load_case(case_id)
    case_input = materialise(case_id, spec, tmp_path / "in")
    cfg = load_config(_case_config(root, spec, case_input, tmp_path))
    output_before, raw_before = tree_digest(cfg.output_dir), tree_digest(cfg.raw_dir)
    run_id = f"corpus-{case_id}"

    with pytest.raises(ValidationFailed) as failed:
        pipeline.run_all(cfg, run_id)

    folder = pipeline.run_dir(cfg, run_id)
    report = (folder / "validation_report.md").read_text()
    state = RunState.load(cfg.runs_dir, run_id)
    run_files = [f.read_text(errors="replace") for f in sorted(folder.rglob("*")) if f.is_file()]
    check_error(spec, failed.value.failures, case_input.name, report, [str(failed.value), *run_files])
    for text in spec.get("report_also", []):
        assert text in report, text
    assert not state.validated and not state.built and state.release_id is None
    assert not (folder / "staged").exists() and not (folder / "staged.tmp").exists()
    with pytest.raises(RuntimeError, match="not validated"):
        pipeline.build(cfg, run_id)

    # Nothing published changed, and nothing archived earlier changed or went missing.
    assert tree_digest(cfg.output_dir) == output_before
    assert (cfg.output_dir / "latest").resolve() == previous.resolve()
    raw_after = tree_digest(cfg.raw_dir)
    assert {k: raw_after.get(k) for k in raw_before} == raw_before
    added = sorted(set(raw_after) - set(raw_before))
    new_vintages = {k.split("/")[1] for k in added if k.count("/") >= 1}
    assert all(k.startswith(spec["source"] + "/") for k in added), added
    assert len(new_vintages) <= 1  # at most the bad file itself, archived as it arrived
