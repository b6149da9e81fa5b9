"""The pre-publish scan (transforms.publish.release_scan): a disclosive release is refused."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.unit.publish.mart_rows import hscp_with_localities, row
from transforms.publish import dataset, release_scan
from transforms.publish.release_scan import DisclosureError, assert_publishable, find_disclosures
from transforms.publish.suppression import suppress


def _release(tmp_path, frame: pd.DataFrame | None = None):
    """A release folder as publish assembles it: the suppressed dataset and a JSON attachment."""
    release = tmp_path / "release"
    release.mkdir()
    table = pa.Table.from_pandas(
        suppress(frame if frame is not None else pd.DataFrame(hscp_with_localities([3, 12, 9, 0])))[0],
        preserve_index=False,
    )
    dataset.write_partitioned(table, release)
    (release / "indicators.json").write_text(json.dumps([{"id": "adm", "numerator": "Emergency stays"}]))
    return release


def _part(release, level="locality"):
    return next(release.glob(f"indicators/geography_level={level}/*/part-0.parquet"))


def _replace(path, change):
    table = pq.read_table(path)
    pq.write_table(change(table), path)


def test_a_suppressed_release_passes(tmp_path):
    release = _release(tmp_path)
    assert find_disclosures(release, restricted_id_values=["P0123456789abcdef"]) == []
    assert_publishable(release)


def test_an_identifier_column_is_refused(tmp_path):
    release = _release(tmp_path)
    part = _part(release)
    _replace(part, lambda t: t.append_column("cis_id", pa.array(["stay"] * t.num_rows)))
    with pytest.raises(DisclosureError) as failed:
        assert_publishable(release)
    assert f"{part.relative_to(release).as_posix()}, column 'cis_id'" in str(failed.value)
    for name in ("patient_id", "CHI", "upi_number", "attendance_id", "episode_number", "PatientID"):
        assert release_scan.is_identifier_column(name), name
    for name in ("indicator_id", "geography_code", "numerator", "hscp2019", "period_start"):
        assert not release_scan.is_identifier_column(name), name


def test_a_planted_synthetic_identifier_is_refused_with_its_row(tmp_path):
    release = _release(tmp_path)
    part = _part(release)
    names = pq.read_table(part)["geography_name"].to_pylist()
    names[2] = "stay S0123456789abcdef"
    _replace(part, lambda t: t.set_column(t.column_names.index("geography_name"), "geography_name", pa.array(names)))
    findings = find_disclosures(release)
    assert [(f.column, f.row) for f in findings] == [("geography_name", 2)]
    assert "S0123456789abcdef" not in str(findings[0])  # the message does not copy the identifier


def test_a_value_of_the_restricted_extract_is_refused(tmp_path):
    release = _release(tmp_path)
    (release / "notes.json").write_text(json.dumps({"warnings": ["row of stay-778812 dropped"]}))
    for restricted in (["stay-778812", "other"], [pa.array(["x", "778812", "y"])]):
        findings = find_disclosures(release, restricted_id_values=restricted)
        assert [(f.file, f.column) for f in findings] == [("notes.json", "warnings[0]")]


def test_an_unsuppressed_small_count_is_refused(tmp_path):
    release = _release(tmp_path, pd.DataFrame(hscp_with_localities([12, 9, 0])))
    part = _part(release)
    numerators = pq.read_table(part)["numerator"].to_pylist()
    numerators[1] = 4
    _replace(
        part, lambda t: t.set_column(t.column_names.index("numerator"), "numerator", pa.array(numerators, pa.int64()))
    )
    with pytest.raises(DisclosureError, match="row 1: unsuppressed small count below 5"):
        assert_publishable(release)
    assert find_disclosures(release, threshold=4) == []  # 4 is allowed when the threshold is 4


def test_data_zones_unknown_files_and_identifier_keys_are_refused(tmp_path):
    rows = hscp_with_localities([12, 9]) + [row("datazone", "S01000001", 12, hscp="H1")]
    release = _release(tmp_path, pd.DataFrame(rows))
    (release / "extract.xlsx").write_bytes(b"PK")
    (release / "log.json").write_text(json.dumps([{"patient_id": "x"}]))
    problems = {(f.file.split("/")[-1], f.column) for f in find_disclosures(release)}
    assert ("extract.xlsx", None) in problems
    assert ("log.json", "[0].patient_id") in problems
    assert ("part-0.parquet", "geography_level") in problems  # the hive folder geography_level=datazone


def test_a_csv_is_scanned_like_parquet(tmp_path):
    release = tmp_path / "release"
    release.mkdir()
    pd.DataFrame({"geography_code": ["H1", "H2"], "numerator": [12, 2]}).to_csv(release / "t.csv", index=False)
    assert [(f.column, f.row) for f in find_disclosures(release)] == [("numerator", 1)]
