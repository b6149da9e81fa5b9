"""Bad input stops a run before publish, and the dbt tests catch what GX cannot."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from tests.support import write_config
from transforms import pipeline
from transforms.build import BuildFailed
from transforms.config import REPO_ROOT, load_config
from transforms.publish.release import publish as publish_release
from transforms.runstate import RunState
from transforms.validate import ValidationFailed

pytestmark = pytest.mark.slow
DEMO_LOOKUP = REPO_ROOT / "reference" / "locality_lookup_demo.csv"


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    """A run of the good inputs, ingested and validated once for the module."""
    tmp = tmp_path_factory.mktemp("steps")
    cfg = load_config(write_config(tmp))
    pipeline.ingest(cfg, "good")
    pipeline.validate(cfg, "good")
    return cfg


def _variant_run(cfg, run_id: str, edit_lookup) -> None:
    """A copy of the good run whose staged lookup has been edited, ready to build."""
    good = pipeline.run_dir(cfg, "good")
    folder = pipeline.run_dir(cfg, run_id)
    shutil.copytree(good / "staged", folder / "staged")
    lookup = pd.read_parquet(folder / "staged" / "locality_lookup.parquet")
    edit_lookup(lookup).to_parquet(folder / "staged" / "locality_lookup.parquet", index=False)
    state = RunState.load(cfg.runs_dir, "good")
    state.run_id = run_id
    state.save(cfg.runs_dir)


def test_archived_hscp_codes_in_the_lookup_resolve_to_current_ones(validated):
    def to_old_codes(lookup):
        old = {"S37000034": "S37000015", "S37000032": "S37000014"}  # Glasgow 2019, Fife 2018
        return lookup.assign(hscp2019=lookup["hscp2019"].replace(old))

    _variant_run(validated, "old-codes", to_old_codes)
    pipeline.build(validated, "old-codes")
    mart = pd.read_parquet(pipeline.run_dir(validated, "old-codes") / "marts" / "emergency_admissions_per_1000.parquet")
    localities = mart[mart["geography_level"] == "locality"]
    assert len(localities) == 127 * mart["age_group"].nunique()
    assert {"S37000034", "S37000032"} <= set(localities["hscp2019"])
    assert not {"S37000015", "S37000014"} & set(mart["hscp2019"].dropna())


def test_a_lookup_that_puts_a_datazone_in_another_hscp_fails_the_build(validated):
    def misplace(lookup):
        # First Highland data zone given to an Argyll and Bute locality (a real one).
        row = lookup.index[lookup["hscp2019"] == "S37000016"][0]
        lookup.loc[row, ["hscp_locality", "hscp2019"]] = ["Bute and Cowal", "S37000004"]
        return lookup

    _variant_run(validated, "misplaced", misplace)
    with pytest.raises(BuildFailed, match="equals_column_int_geography_datazone_hierarchy_lookup_hscp2019"):
        pipeline.build(validated, "misplaced")


def test_a_bad_lookup_stops_the_run_and_keeps_the_last_release(tmp_path):
    bad_lookup = tmp_path / "lookup_with_unknown_datazone.csv"
    rows = DEMO_LOOKUP.read_text().splitlines()
    rows[5] = rows[5].replace(rows[5].split(",")[0], "S01999999")
    bad_lookup.write_text("\n".join(rows) + "\n")
    cfg = load_config(write_config(tmp_path, locality_lookup=bad_lookup))
    # A release published earlier, which a failed run must not disturb.
    marts = tmp_path / "previous.parquet"
    pd.DataFrame({"x": [1]}).to_parquet(marts)
    previous = publish_release(
        [marts], releases_dir=cfg.releases_dir, inputs=[{"sha256": "00" * 32}], run_id="earlier", synthetic=False
    )
    before = sorted(p.name for p in cfg.releases_dir.iterdir())

    with pytest.raises(ValidationFailed) as failed:
        pipeline.run_all(cfg, "bad-lookup")

    message = str(failed.value)
    assert bad_lookup.name in message and "datazone2011" in message
    report = (pipeline.run_dir(cfg, "bad-lookup") / "validation_report.md").read_text()
    assert bad_lookup.name in report and "datazone2011" in report
    assert 'row 5: "S01999999"' in report  # the 5th data row, as the CSV has it
    assert sorted(p.name for p in cfg.releases_dir.iterdir()) == before
    assert (cfg.output_dir / "latest").resolve() == previous.resolve()
    assert not (pipeline.run_dir(cfg, "bad-lookup") / "staged").exists()
    assert not (pipeline.run_dir(cfg, "bad-lookup") / "staged.tmp").exists()
