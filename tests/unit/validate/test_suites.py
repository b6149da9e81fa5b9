"""The suites in expectations/ and running them (transforms.validate.suites, validate_frame)."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from tests.unit.validate.input_frames import SMR01_REFS, locality_rows, only, smr01_rows
from transforms.config import REPO_ROOT
from transforms.sources.files import read_csv
from transforms.validate import EXPECTATIONS_DIR, SuiteError, validate_frame, write_report

REFERENCE = REPO_ROOT / "reference"


def test_good_locality_lookup_passes_with_and_without_lookup_basis():
    frame, refs = locality_rows(with_basis=True)
    typed, failures = validate_frame(frame, "locality_lookup", "lookup.csv", reference_sets=refs)
    assert failures == []
    assert list(typed.columns) == ["datazone2011", "hscp_locality", "hscp2019", "lookup_basis"]

    frame, refs = locality_rows(with_basis=False)
    typed, failures = validate_frame(frame, "locality_lookup", "lookup.csv", reference_sets=refs)
    assert failures == []
    assert list(typed.columns) == ["datazone2011", "hscp_locality", "hscp2019"]


def test_locality_lookup_checks_lookup_basis_when_present():
    frame, refs = locality_rows(with_basis=True)
    frame.loc[41, "lookup_basis"] = "guessed"
    _, failures = validate_frame(frame, "locality_lookup", "lookup.csv", reference_sets=refs)
    f = only(failures, "expect_column_values_to_be_in_set", "lookup_basis")
    assert f.examples == [{"row": 42, "value": "guessed"}]
    assert "illustrative" in f.rule and "published" in f.rule


def test_locality_lookup_must_cover_every_data_zone_once():
    frame, refs = locality_rows()
    _, failures = validate_frame(frame.iloc[:-1], "locality_lookup", "lookup.csv", reference_sets=refs)
    f = only(failures, "expect_table_row_count_to_equal")
    assert "6976" in f.rule and "6975" in (f.observed or "")
    assert len(failures) == 1  # the column checks do not run after a table-level failure

    frame.loc[100, "hscp2019"] = "S37999999"
    frame.loc[200, "datazone2011"] = frame.loc[199, "datazone2011"]
    _, failures = validate_frame(frame, "locality_lookup", "lookup.csv", reference_sets=refs)
    assert only(failures, "expect_column_values_to_be_in_set", "hscp2019").examples == [
        {"row": 101, "value": "S37999999"}
    ]
    assert [e["row"] for e in only(failures, "expect_column_values_to_be_unique", "datazone2011").examples] == [
        200,
        201,
    ]


def test_locality_lookup_missing_required_column():
    frame, refs = locality_rows()
    _, failures = validate_frame(
        frame.drop(columns="hscp_locality"), "locality_lookup", "lookup.csv", reference_sets=refs
    )
    assert len(failures) == 1
    assert failures[0].column == "hscp_locality"
    assert "hscp_locality" in failures[0].observed


# --------------------------------------------------------------------------- bad frames


def test_missing_column_gives_one_failure_naming_it():
    raw = smr01_rows().drop(columns="age_at_admission")
    typed, failures = validate_frame(raw, "smr01_episodes", "smr01.csv", reference_sets=SMR01_REFS)
    assert len(failures) == 1
    f = failures[0]
    assert f.expectation == "expect_table_columns_to_match_set"
    assert f.column == "age_at_admission"
    assert "missing column(s): age_at_admission" in f.observed
    assert f.source == "smr01_episodes" and f.file == "smr01.csv"


def test_unexpected_extra_column_is_named():
    raw = smr01_rows().assign(chi_number="0101011234")
    _, failures = validate_frame(raw, "smr01_episodes", "smr01.csv", reference_sets=SMR01_REFS)
    assert len(failures) == 1
    assert failures[0].column == "chi_number"
    assert "unexpected column(s): chi_number" in failures[0].observed


def test_unknown_data_zone_reports_row_and_value():
    raw = smr01_rows()
    raw.loc[2, "datazone2011"] = "S01999999"
    _, failures = validate_frame(raw, "smr01_episodes", "smr01.csv", reference_sets=SMR01_REFS)
    f = only(failures, "expect_column_values_to_be_in_set", "datazone2011")
    assert f.unexpected_count == 1
    assert f.examples == [{"row": 3, "value": "S01999999"}]
    assert "reference set 'datazone2011'" in f.rule
    assert len(failures) == 1


def test_duplicate_key_fails():
    raw = smr01_rows()
    raw.loc[4, ["cis_id", "episode_number"]] = ["C001", "2"]
    _, failures = validate_frame(raw, "smr01_episodes", "smr01.csv", reference_sets=SMR01_REFS)
    f = only(failures, "expect_compound_columns_to_be_unique", "cis_id, episode_number")
    assert f.unexpected_count == 2
    assert f.examples == [
        {"row": 2, "value": {"cis_id": "C001", "episode_number": "2"}},
        {"row": 5, "value": {"cis_id": "C001", "episode_number": "2"}},
    ]


def test_discharge_before_admission_fails():
    raw = smr01_rows()
    raw.loc[1, "discharge_date"] = "2020-04-02"
    _, failures = validate_frame(raw, "smr01_episodes", "smr01.csv", reference_sets=SMR01_REFS)
    f = only(failures, "expect_column_pair_values_a_to_be_greater_than_b")
    assert f.examples == [{"row": 2, "value": {"discharge_date": "2020-04-02", "admission_date": "2020-04-03"}}]
    assert f.rule == "discharge_date must be >= admission_date"


def test_chi_number_as_patient_id_fails_and_is_not_copied_into_the_report(tmp_path):
    raw = smr01_rows()
    raw.loc[0, "patient_id"] = "0101011234"
    _, failures = validate_frame(raw, "smr01_episodes", "smr01.csv", reference_sets=SMR01_REFS)
    chi = only(failures, "expect_column_values_to_not_match_regex", "patient_id")
    assert chi.examples == [{"row": 1, "value": "[redacted: shape 9999999999]"}]
    assert "CHI" in chi.rule
    only(failures, "expect_column_values_to_match_regex", "patient_id")
    report = write_report(failures, tmp_path / "report.md").read_text()
    assert "0101011234" not in report and "9999999999" in report


def test_missing_reference_set_is_a_clear_error():
    with pytest.raises(SuiteError, match="'datazone2011'"):
        validate_frame(smr01_rows(), "smr01_episodes", "smr01.csv", reference_sets={})


def test_unknown_source_is_a_clear_error():
    with pytest.raises(SuiteError, match="no expectation suite"):
        validate_frame(smr01_rows(), "no_such_source", "x.csv")


# --------------------------------------------------------------------------- committed data


def reference_sets() -> dict[str, set[str]]:
    geography = pd.read_parquet(REFERENCE / "geography_dz2011.parquet")
    changes, _ = read_csv(REFERENCE / "geography_code_changes.csv")
    hscp_changes = changes[changes["geography_level"] == "hscp"]
    return {
        "datazone2011": set(geography["datazone2011"]),
        "hscp2019_any": set(geography["hscp2019"]) | set(hscp_changes["old_code"]) | set(hscp_changes["new_code"]),
    }


REFERENCE_FILES = [
    ("geography_dz2011.parquet", "geography_dz2011"),
    ("geography_code_changes.csv", "geography_code_changes"),
    ("hscp_localities.csv", "hscp_localities"),
    ("hscp_population_estimates.parquet", "hscp_population_estimates"),
    ("datazone_population_2021.parquet", "datazone_population_2021"),
    ("simd2020v2_datazone.parquet", "simd2020v2_datazone"),
    ("urban_rural_dz2011.parquet", "urban_rural_dz2011"),
    ("locality_lookup_demo.csv", "locality_lookup"),
    ("ae_sites.csv", "ae_sites"),
]


def test_every_reference_file_has_a_suite():
    committed = {p.name for p in REFERENCE.iterdir() if p.suffix in (".csv", ".parquet")}
    assert committed == {name for name, _ in REFERENCE_FILES}


@pytest.mark.parametrize(("file_name", "source"), REFERENCE_FILES)
def test_committed_reference_files_pass(file_name, source):
    path = REFERENCE / file_name
    raw = pd.read_parquet(path) if path.suffix == ".parquet" else read_csv(path)[0]
    typed, failures = validate_frame(raw, source, file_name, reference_sets=reference_sets())
    assert failures == []
    assert len(typed) == len(raw)


def test_synthetic_extract_passes(synthetic_extract, reference_tables):
    raw = pd.read_parquet(synthetic_extract)
    _, failures = validate_frame(
        raw,
        "smr01_episodes",
        synthetic_extract.name,
        reference_sets={"datazone2011": set(reference_tables.geography["datazone2011"])},
    )
    assert failures == []


# --------------------------------------------------------------------------- suites and module

SUITES = sorted(EXPECTATIONS_DIR.glob("*.json"))


def test_every_input_has_a_suite():
    assert {p.stem for p in SUITES} == {
        "geography_dz2011",
        "geography_code_changes",
        "hscp_localities",
        "hscp_population_estimates",
        "datazone_population_2021",
        "simd2020v2_datazone",
        "urban_rural_dz2011",
        "locality_lookup",
        "smr01_episodes",
        "ae_sites",
        "ae_attendances",
        "delayed_discharges",
        "deaths",
        "public_admissions_hscp_simd",
        "public_ae_monthly",
    }


@pytest.mark.parametrize("path", SUITES, ids=lambda p: p.stem)
def test_suite_is_well_formed(path):
    suite = json.loads(path.read_text())
    assert suite["name"] == path.stem
    columns = suite["meta"]["columns"]
    assert set(columns.values()) <= {"string", "int", "date", "float"}
    optional = set(suite["meta"].get("optional_columns", []))
    # Columns that must be present but may be empty: text only (text cannot fail to cast).
    nullable = set(suite["meta"].get("nullable_columns", []))
    assert all(columns[c] == "string" for c in nullable) and not nullable & optional
    not_null = {
        e["kwargs"]["column"] for e in suite["expectations"] if e["type"] == "expect_column_values_to_not_be_null"
    }
    # A value that fails to cast becomes null: only a not-null check makes that visible.
    assert set(columns) - optional - nullable <= not_null
    assert not nullable & not_null
    column_sets = [e for e in suite["expectations"] if e["type"] == "expect_table_columns_to_match_set"]
    assert len(column_sets) == 1
    assert set(column_sets[0]["kwargs"]["column_set"]) == set(columns) - optional


def test_importing_the_module_does_not_import_great_expectations():
    code = "import sys, transforms.validate; print('great_expectations' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert out.stdout.strip() == "False"
