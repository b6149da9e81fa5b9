"""A real release holds no identifier and no unsuppressed small count; restricted outputs stay owner-only.

The pipeline runs once on the synthetic extracts; every file of output/latest is then
scanned against the identifiers of those extracts, and the suppressed dataset is
compared cell by cell with the unsuppressed one the run keeps in its restricted folder.
"""

from __future__ import annotations

import re
import stat

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from tests.support import SMALL_SCALE, synthetic_twins, write_config
from transforms import pipeline
from transforms.config import load_config
from transforms.publish import contents, suppression
from transforms.publish.release_scan import DisclosureError, find_disclosures
from transforms.runstate import RunState

pytestmark = pytest.mark.slow

KEY = ["indicator_id", "period", "geography_level", "geography_code", "simd_quintile", "sex", "age_group"]


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """One whole run on the synthetic extracts: its configuration and the release it published."""
    tmp = tmp_path_factory.mktemp("publishable")
    cfg = load_config(write_config(tmp))
    release = pipeline.run_all(cfg, "publishable")
    return cfg, release


@pytest.fixture(scope="module")
def restricted_ids() -> set[str]:
    """Every patient, stay and attendance identifier of the synthetic extracts the run was given."""
    ids = set()
    for path in synthetic_twins(SMALL_SCALE).values():
        frame = pd.read_parquet(path)
        for column in ("patient_id", "cis_id", "attendance_id"):
            if column in frame:
                ids.update(frame[column].dropna().astype(str))
    assert len(ids) > 10_000
    return ids


def _dataset(folder) -> pd.DataFrame:
    return duckdb.sql(
        f"select * from read_parquet('{folder.as_posix()}/indicators/**/*.parquet', hive_partitioning=true)"
    ).df()


def test_latest_passes_the_disclosure_check_against_the_extracts(published, restricted_ids):
    cfg, release = published
    latest = (cfg.output_dir / "latest").resolve()
    assert latest == release.resolve()
    files = sorted(p.relative_to(latest).as_posix() for p in latest.rglob("*") if p.is_file())
    assert any(f.startswith("indicators/") for f in files) and "manifest.json" in files
    assert find_disclosures(latest, restricted_id_values=restricted_ids) == []


def test_no_identifier_appears_in_any_file(published, restricted_ids):
    """Independently of the check: every Parquet cell and column name, every other file's text."""
    release = published[1]
    id_shape = re.compile(r"\b[PSA][0-9a-f]{16}\b")
    for path in sorted(p for p in release.rglob("*") if p.is_file()):
        if path.suffix == ".parquet":
            frame = pd.read_parquet(path)
            names = {c.lower() for c in frame.columns}
            assert not names & {"patient_id", "cis_id", "attendance_id", "chi", "upi", "episode_number"}, path
            for column in frame.columns:
                if not pd.api.types.is_numeric_dtype(frame[column]) and frame[column].dtype != bool:
                    values = set(frame[column].dropna().astype(str))
                    assert not values & restricted_ids, (path, column)
                    assert not any(id_shape.search(v) for v in values), (path, column)
        else:
            text = path.read_text(encoding="utf-8")
            assert not id_shape.search(text), path
            assert not set(re.findall(r"[A-Za-z0-9_-]+", text)) & restricted_ids, path


def test_every_small_count_is_suppressed_and_every_other_cell_is_unchanged(published):
    cfg, release = published
    shown = _dataset(release).set_index(KEY).sort_index()
    full = _dataset(pipeline.run_dir(cfg, "publishable") / "restricted").set_index(KEY).sort_index()
    full = full[full.index.get_level_values("geography_level") != "datazone"]
    assert shown.index.equals(full.index)  # the same cells, levels above data zones
    assert not shown["numerator"].between(1, suppression.DEFAULT_THRESHOLD - 1).any()
    small = full["numerator"].between(1, suppression.DEFAULT_THRESHOLD - 1)
    hidden = shown["quality_marker"] == "c"
    assert small.any()  # the synthetic extract has a few (bed days of one or two short stays)
    assert hidden[small].all()
    value_columns = [
        "numerator",
        "value",
        "ci95_lower",
        "ci95_upper",
        "ci998_lower",
        "ci998_upper",
        "compared_with_scotland_95",
    ]
    assert shown.loc[hidden, value_columns].isna().all().all()
    assert (shown["denominator"] == full["denominator"]).all()  # populations stay
    kept = shown.loc[~hidden, ["numerator", "value"]]
    pd.testing.assert_frame_equal(kept, full.loc[~hidden, ["numerator", "value"]], check_dtype=False)


def test_data_zones_and_unsuppressed_tables_stay_owner_only_outside_the_release(published):
    cfg, release = published
    assert not list(release.rglob("geography_level=datazone"))
    folder = pipeline.run_dir(cfg, "publishable")
    restricted = folder / "restricted"
    assert list(restricted.glob("indicators/geography_level=datazone/indicator_id=*/part-0.parquet"))
    for path in [restricted, *restricted.rglob("*"), folder / "marts", *(folder / "marts").iterdir()]:
        expected = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(path.stat().st_mode) == expected, path
    assert cfg.output_dir not in restricted.parents


def test_the_dataset_is_queried_by_indicator_without_knowing_the_marts(published):
    cfg, release = published
    latest = (cfg.output_dir / "latest").as_posix()
    rows = duckdb.sql(
        f"select geography_level, count(*) as n from read_parquet('{latest}/indicators/**/*.parquet', "
        "hive_partitioning=true) where indicator_id = 'emergency_admissions_per_1000' "
        "group by all"
    ).fetchall()
    assert {level for level, _ in rows} == {"intzone", "locality", "hscp", "health_board", "scotland"}
    frame = pd.read_parquet(f"{latest}/indicators", filters=[("indicator_id", "=", "emergency_admissions_per_1000")])
    assert len(frame) == sum(n for _, n in rows)
    scotland = frame[
        (frame["geography_level"] == "scotland")
        & (frame["simd_quintile"] == "all")
        & (frame["age_group"] == "All ages")
    ]
    assert len(scotland) == 1 and scotland["numerator"].iloc[0] > 0


def test_a_disclosive_release_is_refused_and_latest_stays(published, monkeypatch):
    """A patient id and a small count planted after disclosure control: publish refuses, naming file, column, row."""
    cfg, release = published
    patient = pd.read_parquet(synthetic_twins(SMALL_SCALE)["smr01_episodes"], columns=["patient_id"])[
        "patient_id"
    ].iloc[0]
    read_controlled = contents.read_controlled

    def leaky(controlled):
        """The controlled indicators as compare wrote them, with a patient id and a count of 2 in an HSCP row."""
        table, disclosure = read_controlled(controlled)
        names = table["geography_name"].to_pylist()
        hscp_row = pc.index(table["geography_level"], "hscp").as_py()
        names[hscp_row] = patient
        numerators = table["numerator"].to_pylist()
        numerators[hscp_row] = 2
        table = table.set_column(table.column_names.index("geography_name"), "geography_name", pa.array(names))
        return table.set_column(
            table.column_names.index("numerator"),
            "numerator",
            pa.array(numerators, table.schema.field("numerator").type),
        ), disclosure

    monkeypatch.setattr(contents, "read_controlled", leaky)
    before = sorted(p.name for p in cfg.releases_dir.iterdir())
    with pytest.raises(DisclosureError) as refused:
        pipeline.publish(cfg, "publishable")
    message = str(refused.value)
    assert "indicators/geography_level=hscp/indicator_id=" in message
    assert "column 'geography_name', row 0" in message and "column 'numerator', row 0" in message
    assert "identifier of the restricted extract" in message and patient not in message
    assert sorted(p.name for p in cfg.releases_dir.iterdir()) == before
    assert (cfg.output_dir / "latest").resolve() == release.resolve()
    assert RunState.load(cfg.runs_dir, "publishable").release_id == release.name
