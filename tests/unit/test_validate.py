"""Tests for transforms.validate and the suites in expectations/."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from transforms.sources.files import read_csv
from transforms.validate import (
    EXPECTATIONS_DIR,
    Failure,
    SuiteError,
    ValidationFailed,
    check_or_raise,
    validate_frame,
    write_report,
)

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO / "reference"

DATAZONES = ["S01006506", "S01006507", "S01006508", "S01010000", "S01013481"]
SMR01_REFS = {"datazone2011": set(DATAZONES)}


def smr01_rows() -> pd.DataFrame:
    """Five good episodes, all text, as transforms.sources.files.read_csv returns them."""
    rows = [
        # patient_id, cis_id, ep, admitted, discharged, type, age, sex, dz, specialty, los, main, other 1-5
        ("P0123456789abcdef", "C001", "1", "2020-04-01", "2020-04-03", "36", "71", "2", DATAZONES[0], "A1", "2",
         "J440", "I10X", "E119", "", "", ""),
        ("P0123456789abcdef", "C001", "2", "2020-04-03", "2020-04-10", "18", "71", "2", DATAZONES[0], "AB", "7",
         "J440", "I10X", "E119", "", "", ""),
        ("P00000000000000ff", "C002", "1", "2020-05-01", "2020-05-01", "10", "0", "1", DATAZONES[1], "C8", "0",
         "K409", "", "", "", "", ""),
        ("Pfedcba9876543210", "C003", "1", "2021-01-31", "2021-02-02", "30", "115", "1", DATAZONES[3], "A1", "2",
         "S720", "W010", "I489", "N183", "F03X", "Z921"),
        ("P1111111111111111", "C004", "1", "2021-03-31", "2021-04-01", "20", "34", "2", DATAZONES[4], "F2", "1",
         "R074", "", "", "", "", ""),
    ]
    cols = ["patient_id", "cis_id", "episode_number", "admission_date", "discharge_date", "admission_type",
            "age_at_admission", "sex", "datazone2011", "specialty", "length_of_stay",
            "main_condition", "other_condition_1", "other_condition_2", "other_condition_3",
            "other_condition_4", "other_condition_5"]
    return pd.DataFrame(rows, columns=cols, dtype=str)


def locality_rows(with_basis: bool = True) -> tuple[pd.DataFrame, dict[str, set[str]]]:
    """A complete lookup (6,976 made-up data zones, as the suite demands) and its reference sets."""
    zones = [f"S01{n:06d}" for n in range(1, 6977)]
    hscps = [f"S370000{n:02d}" for n in (1, 2, 3)]
    frame = pd.DataFrame({
        "datazone2011": zones,
        "hscp_locality": [f"Locality {i % 7}" for i in range(len(zones))],
        "hscp2019": [hscps[i % 3] for i in range(len(zones))],
    }, dtype=str)
    if with_basis:
        frame["lookup_basis"] = "illustrative"
    return frame, {"datazone2011": set(zones), "hscp2019_any": set(hscps) | {"S37000014"}}


def only(failures: list[Failure], expectation: str, column: str | None = None) -> Failure:
    hits = [f for f in failures if f.expectation == expectation and (column is None or f.column == column)]
    assert len(hits) == 1, failures
    return hits[0]


# --------------------------------------------------------------------------- good frames

def test_good_smr01_frame_passes_and_is_typed():
    typed, failures = validate_frame(smr01_rows(), "smr01_episodes", "smr01.csv", reference_sets=SMR01_REFS)
    assert failures == []
    assert str(typed["episode_number"].dtype) == "Int64"
    assert str(typed["length_of_stay"].dtype) == "Int64"
    assert pd.api.types.is_datetime64_any_dtype(typed["admission_date"])
    assert typed["admission_date"].iloc[3] == pd.Timestamp("2021-01-31")
    assert typed["age_at_admission"].tolist() == [71, 71, 0, 115, 34]
    assert typed["admission_type"].tolist() == ["36", "18", "10", "30", "20"]  # leading zeros kept as text
    assert list(typed.columns) == list(smr01_rows().columns)


def test_good_smr01_frame_with_parquet_types_passes():
    raw = smr01_rows()
    native = raw.assign(
        episode_number=raw["episode_number"].astype("int16"),
        age_at_admission=raw["age_at_admission"].astype("int16"),
        length_of_stay=raw["length_of_stay"].astype("int32"),
        admission_date=pd.to_datetime(raw["admission_date"]).astype("datetime64[s]"),
        discharge_date=pd.to_datetime(raw["discharge_date"]).astype("datetime64[s]"),
    )
    typed, failures = validate_frame(native, "smr01_episodes", "smr01.parquet", reference_sets=SMR01_REFS)
    assert failures == []
    assert typed["length_of_stay"].tolist() == [2, 7, 0, 2, 1]


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
        {"row": 101, "value": "S37999999"}]
    assert [e["row"] for e in only(failures, "expect_column_values_to_be_unique", "datazone2011").examples] == [200, 201]


def test_locality_lookup_missing_required_column():
    frame, refs = locality_rows()
    _, failures = validate_frame(frame.drop(columns="hscp_locality"), "locality_lookup", "lookup.csv",
                                 reference_sets=refs)
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


def test_text_in_integer_column_shows_raw_value_and_row():
    raw = smr01_rows()
    raw.loc[3, "age_at_admission"] = "abc"
    typed, failures = validate_frame(raw, "smr01_episodes", "smr01.csv", reference_sets=SMR01_REFS)
    f = only(failures, "expect_column_values_to_not_be_null", "age_at_admission")
    assert f.unexpected_count == 1
    assert f.examples == [{"row": 4, "value": "abc"}]
    assert "whole numbers" in f.rule
    assert pd.isna(typed.loc[3, "age_at_admission"])
    assert len(failures) == 1


def test_bad_dates_empty_cells_and_ranges():
    raw = smr01_rows()
    raw.loc[0, "admission_date"] = "01/04/2020"   # not ISO: fails to cast
    raw.loc[1, "specialty"] = ""                  # empty cell from the CSV reader
    raw.loc[2, "length_of_stay"] = "4000"
    raw.loc[4, "admission_type"] = "7"
    _, failures = validate_frame(raw, "smr01_episodes", "smr01.csv", reference_sets=SMR01_REFS)
    assert only(failures, "expect_column_values_to_not_be_null", "admission_date").examples == [
        {"row": 1, "value": "01/04/2020"}]
    assert only(failures, "expect_column_values_to_not_be_null", "specialty").examples == [{"row": 2, "value": ""}]
    between = only(failures, "expect_column_values_to_be_between", "length_of_stay")
    assert between.examples == [{"row": 3, "value": "4000"}] and between.rule == "values must be between 0 and 3650"
    assert only(failures, "expect_column_values_to_match_regex", "admission_type").examples == [
        {"row": 5, "value": "7"}]
    assert only(failures, "expect_column_values_to_be_in_set", "admission_type").examples == [
        {"row": 5, "value": "7"}]


def test_duplicate_key_fails():
    raw = smr01_rows()
    raw.loc[4, ["cis_id", "episode_number"]] = ["C001", "2"]
    _, failures = validate_frame(raw, "smr01_episodes", "smr01.csv", reference_sets=SMR01_REFS)
    f = only(failures, "expect_compound_columns_to_be_unique", "cis_id, episode_number")
    assert f.unexpected_count == 2
    assert f.examples == [{"row": 2, "value": {"cis_id": "C001", "episode_number": "2"}},
                          {"row": 5, "value": {"cis_id": "C001", "episode_number": "2"}}]


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


# --------------------------------------------------------------------------- reports

def test_report_names_file_expectation_and_column(tmp_path):
    raw = smr01_rows()
    raw.loc[2, "datazone2011"] = "S01999999"
    raw.loc[3, "age_at_admission"] = "abc"
    _, failures = validate_frame(raw, "smr01_episodes", "smr01_2024.csv", reference_sets=SMR01_REFS)
    path = tmp_path / "reports" / "validation.md"
    with pytest.raises(ValidationFailed) as caught:
        check_or_raise(failures, path)
    assert caught.value.report_path == path and caught.value.failures == failures
    report = path.read_text()
    assert "## smr01_2024.csv" in report
    assert "expect_column_values_to_be_in_set" in report and "datazone2011" in report
    assert "expect_column_values_to_not_be_null" in report and "age_at_admission" in report
    assert 'row 3: "S01999999"' in report and 'row 4: "abc"' in report
    assert [p.name for p in path.parent.iterdir()] == ["validation.md"]  # no temp file left behind
    message = str(caught.value)
    assert "smr01_2024.csv" in message and "expect_column_values_to_not_be_null" in message
    assert "age_at_admission" in message and "row 4" in message and str(path) in message


def test_report_for_several_files_and_a_table_failure(tmp_path):
    frame, refs = locality_rows()
    _, lookup_failures = validate_frame(frame.drop(columns="hscp2019"), "locality_lookup", "lookup.csv",
                                        reference_sets=refs)
    raw = smr01_rows()
    raw.loc[0, "sex"] = "M"
    _, smr_failures = validate_frame(raw, "smr01_episodes", "smr01.csv", reference_sets=SMR01_REFS)
    report = write_report(lookup_failures + smr_failures, tmp_path / "r.md").read_text()
    assert report.index("## lookup.csv") < report.index("## smr01.csv")
    assert "missing column(s): hscp2019" in report
    assert 'row 1: "M"' in report


def test_check_or_raise_without_failures_writes_a_passing_report(tmp_path):
    path = check_or_raise([], tmp_path / "ok.md")
    assert "All expectations passed" in path.read_text()


# --------------------------------------------------------------------------- committed data

def reference_sets() -> dict[str, set[str]]:
    geography = pd.read_parquet(REFERENCE / "geography_dz2011.parquet")
    changes, _ = read_csv(REFERENCE / "geography_code_changes.csv")
    hscp_changes = changes[changes["geography_level"] == "hscp"]
    return {"datazone2011": set(geography["datazone2011"]),
            "hscp2019_any": set(geography["hscp2019"]) | set(hscp_changes["old_code"])
            | set(hscp_changes["new_code"])}


REFERENCE_FILES = [
    ("geography_dz2011.parquet", "geography_dz2011"),
    ("geography_code_changes.csv", "geography_code_changes"),
    ("hscp_localities.csv", "hscp_localities"),
    ("hscp_population_estimates.parquet", "hscp_population_estimates"),
    ("datazone_population_2021.parquet", "datazone_population_2021"),
    ("simd2020v2_datazone.parquet", "simd2020v2_datazone"),
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
    _, failures = validate_frame(raw, "smr01_episodes", synthetic_extract.name,
                                 reference_sets={"datazone2011": set(reference_tables.geography["datazone2011"])})
    assert failures == []


# --------------------------------------------------------------------------- suites and module

SUITES = sorted(EXPECTATIONS_DIR.glob("*.json"))


def test_every_input_has_a_suite():
    assert {p.stem for p in SUITES} == {
        "geography_dz2011", "geography_code_changes", "hscp_localities", "hscp_population_estimates",
        "datazone_population_2021", "simd2020v2_datazone", "locality_lookup", "smr01_episodes",
        "ae_sites", "ae_attendances", "delayed_discharges", "deaths", "public_admissions_hscp_simd",
        "public_ae_monthly"}


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
    not_null = {e["kwargs"]["column"] for e in suite["expectations"]
                if e["type"] == "expect_column_values_to_not_be_null"}
    # A value that fails to cast becomes null: only a not-null check makes that visible.
    assert set(columns) - optional - nullable <= not_null
    assert not nullable & not_null
    column_sets = [e for e in suite["expectations"] if e["type"] == "expect_table_columns_to_match_set"]
    assert len(column_sets) == 1
    assert set(column_sets[0]["kwargs"]["column_set"]) == set(columns) - optional


def test_importing_the_module_does_not_import_great_expectations():
    code = "import sys, transforms.validate; print('great_expectations' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert out.stdout.strip() == "False"


def test_report_accepts_failures_built_outside_gx(tmp_path):
    """Other checks (e.g. the admission period) report through the same Failure and report."""
    extra = Failure(source="smr01_episodes", file="smr01.csv", expectation="period_fully_covered",
                    column="admission_date", rule="every month of the period must have admissions",
                    unexpected_count=2, examples=[{"row": None, "value": "2020-05"}, {"row": None, "value": "2020-06"}])
    report = write_report([extra], tmp_path / "r.md").read_text()
    assert '| period_fully_covered | admission_date | every month of the period must have admissions | 2 | "2020-05"; "2020-06" |' in report
    assert "row None" not in str(ValidationFailed([extra], None))
