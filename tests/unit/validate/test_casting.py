"""Casting to the suite's column types (transforms.validate.casting): typed frames, and values that do not cast."""

from __future__ import annotations

import pandas as pd

from tests.unit.validate.input_frames import SMR01_REFS, only, smr01_rows
from transforms.validate import validate_frame


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
    raw.loc[0, "admission_date"] = "01/04/2020"  # not ISO: fails to cast
    raw.loc[1, "specialty"] = ""  # empty cell from the CSV reader
    raw.loc[2, "length_of_stay"] = "4000"
    raw.loc[4, "admission_type"] = "7"
    _, failures = validate_frame(raw, "smr01_episodes", "smr01.csv", reference_sets=SMR01_REFS)
    assert only(failures, "expect_column_values_to_not_be_null", "admission_date").examples == [
        {"row": 1, "value": "01/04/2020"}
    ]
    assert only(failures, "expect_column_values_to_not_be_null", "specialty").examples == [{"row": 2, "value": ""}]
    between = only(failures, "expect_column_values_to_be_between", "length_of_stay")
    assert between.examples == [{"row": 3, "value": "4000"}] and between.rule == "values must be between 0 and 3650"
    assert only(failures, "expect_column_values_to_match_regex", "admission_type").examples == [
        {"row": 5, "value": "7"}
    ]
    assert only(failures, "expect_column_values_to_be_in_set", "admission_type").examples == [{"row": 5, "value": "7"}]
