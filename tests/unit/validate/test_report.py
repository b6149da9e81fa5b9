"""The validation report and its failures (transforms.validate.report)."""

from __future__ import annotations

import pytest

from tests.unit.validate.input_frames import SMR01_REFS, locality_rows, smr01_rows
from transforms.validate import Failure, ValidationFailed, check_or_raise, validate_frame, write_report


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
    _, lookup_failures = validate_frame(
        frame.drop(columns="hscp2019"), "locality_lookup", "lookup.csv", reference_sets=refs
    )
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


def test_report_accepts_failures_built_outside_gx(tmp_path):
    """Other checks (e.g. the admission period) report through the same Failure and report."""
    extra = Failure(
        source="smr01_episodes",
        file="smr01.csv",
        expectation="period_fully_covered",
        column="admission_date",
        rule="every month of the period must have admissions",
        unexpected_count=2,
        examples=[{"row": None, "value": "2020-05"}, {"row": None, "value": "2020-06"}],
    )
    report = write_report([extra], tmp_path / "r.md").read_text()
    row = "| period_fully_covered | admission_date | every month of the period must have admissions | 2 | {} |"
    assert row.format('"2020-05"; "2020-06"') in report
    assert "row None" not in str(ValidationFailed([extra], None))
