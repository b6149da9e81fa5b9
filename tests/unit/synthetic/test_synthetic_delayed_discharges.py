"""The synthetic delayed discharge census twin: deterministic, labelled, on contract, plausible."""

import hashlib
import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from tests.support import TEST_SEED, TEST_YEAR
from tests.unit.synthetic import twins
from transforms.config import REPO_ROOT
from transforms.synthetic import delayed_discharges as dd
from transforms.validate import validate_frame


@pytest.fixture(scope="module")
def path():
    return twins.delayed_extract()


@pytest.fixture(scope="module")
def census(path):
    return pd.read_parquet(path)


@pytest.fixture(scope="module")
def by_month(census):
    return census.groupby("census_month").agg(
        delayed=("delayed_at_census", "sum"), bed_days=("bed_days_in_month", "sum")
    )


def test_same_seed_gives_byte_identical_files(tmp_path, path):
    again = dd.write_extract(
        dd.generate(twins.reference(), [TEST_YEAR], TEST_SEED),
        tmp_path / "again.parquet",
        seed=TEST_SEED,
        financial_years=[TEST_YEAR],
    )
    assert hashlib.sha256(again.read_bytes()).digest() == hashlib.sha256(path.read_bytes()).digest()


def test_file_is_labelled_synthetic(path):
    meta = pq.ParquetFile(path).schema_arrow.metadata
    assert meta[b"synthetic"] == b"true" and b"SYNTHETIC" in meta[b"notice"]
    assert meta[b"generator"] == b"transforms.synthetic.delayed_discharges"
    assert meta[b"generator_version"] == dd.GENERATOR_VERSION.encode() and dd.GENERATOR_VERSION == "2"
    assert f"_v{dd.GENERATOR_VERSION}_" in path.name
    assert meta[b"seed"] == str(TEST_SEED).encode()
    assert "SYNTHETIC" in path.name


def test_passes_its_suite(census, path):
    _, failures = validate_frame(census, "delayed_discharges", path.name, reference_sets=twins.reference_sets())
    assert failures == []
    assert list(census.columns) == dd.COLUMNS


def test_suite_rejects_a_reason_in_the_wrong_group_and_impossible_bed_days(census):
    raw = census.head(50).copy()
    raw.loc[0, "reason_group"] = "code_9" if raw.loc[0, "reason_code"] != "51X" else "patient_family"
    raw.loc[1, "bed_days_in_month"] = 40
    raw.loc[2, "census_month"] = "2022-13"
    _, failures = validate_frame(raw, "delayed_discharges", "dd.csv", reference_sets=twins.reference_sets())
    found = {(f.expectation, f.column) for f in failures}
    assert ("expect_column_pair_values_to_be_in_set", "reason_code, reason_group") in found
    assert ("expect_column_values_to_be_between", "bed_days_in_month") in found
    assert ("expect_column_values_to_match_regex", "census_month") in found


def test_suite_value_sets_match_the_reason_codes():
    suite = json.loads((REPO_ROOT / "expectations" / "delayed_discharges.json").read_text())
    codes = next(
        e["kwargs"]["value_set"]
        for e in suite["expectations"]
        if e["kwargs"].get("column") == "reason_code" and "value_set" in e["kwargs"]
    )
    pairs = next(
        e["kwargs"]["value_pairs_set"]
        for e in suite["expectations"]
        if e["type"] == "expect_column_pair_values_to_be_in_set" and e["kwargs"]["column_A"] == "reason_code"
    )
    assert set(codes) == set(dd.REASON_CODES)
    assert {tuple(p) for p in pairs} == {(c, g) for c, (g, _) in dd.REASON_CODES.items()}
    assert set(dd.REASON_WEIGHTS) == set(dd.REASON_CODES)


def test_suite_rejects_an_age_that_disagrees_with_its_group_or_is_under_18(census):
    raw = census.head(50).copy()
    (young, child), old = raw.index[raw["age"] < 75][:2], raw.index[raw["age"] >= 75][0]
    raw.loc[young, "age_group"] = "75+"
    raw.loc[old, "age"] = 74  # its group stays 75+
    raw.loc[child, "age"] = 17
    _, failures = validate_frame(raw, "delayed_discharges", "dd.csv", reference_sets=twins.reference_sets())
    by_rule = {(f.expectation, f.column): f for f in failures}
    pair = by_rule[("expect_column_pair_values_to_be_in_set", "age, age_group")]
    assert pair.unexpected_count == 3  # the age 17 row has no group either
    assert {e["row"] for e in pair.examples} >= {young + 1, old + 1}
    assert by_rule[("expect_column_values_to_be_between", "age")].unexpected_count == 1


def test_age_is_the_age_at_the_start_of_the_delay_and_fixes_the_group(census):
    assert census["age"].between(dd.MIN_AGE, 115).all()
    assert ((census["age"] >= 75) == (census["age_group"] == "75+")).all()
    # One age per delay episode, whichever months it spans.
    assert (census.groupby(["patient_id", "delay_start_date"])["age"].nunique() == 1).all()
    # A person's age at the start of two delays grows with the years between them.
    starts = census.drop_duplicates(["patient_id", "delay_start_date"]).sort_values("delay_start_date")
    fy = starts["delay_start_date"].dt.year - (starts["delay_start_date"].dt.month < 4)
    first, last = starts.assign(birth=fy - starts["age"]).groupby("patient_id")["birth"].agg(["min", "max"]).T.values
    assert (first == last).all()  # the same birth year behind every delay of a person
    # Some delays under way on 1 April started in an earlier financial year, where the
    # check above ties their age to that year.
    assert (starts["delay_start_date"] < f"{TEST_YEAR - 1}-04-01").any()


def test_age_bands_65_plus_and_75_plus_are_plausible(census):
    at_census = census[census["delayed_at_census"] == 1]
    assert 0.55 <= (at_census["age"] >= 75).mean() <= 0.75
    assert 0.75 <= (at_census["age"] >= 65).mean() <= 0.92
    assert at_census["age"].max() == 90  # the population's top age (90 and over)


def test_every_month_of_the_year_is_there(by_month):
    expected = [str(p) for p in pd.period_range(f"{TEST_YEAR}-04", f"{TEST_YEAR + 1}-03", freq="M")]
    assert list(by_month.index) == expected


def test_census_count_and_bed_days_are_plausible(by_month):
    assert 1_400 <= by_month["delayed"].mean() <= 2_100  # Scotland: about 1,500-2,000 at a census point
    assert 40_000 <= by_month["bed_days"].mean() <= 65_000  # about 50,000 delayed bed days a month
    assert by_month["bed_days"].min() > 0.85 * by_month["bed_days"].max()  # no run-in: first months are full


def test_bed_days_fit_in_their_month_and_census_flags_are_consistent(census):
    days_in_month = pd.to_datetime(census["census_month"] + "-01").dt.days_in_month
    assert (census["bed_days_in_month"] <= days_in_month).all()
    month_start = pd.to_datetime(census["census_month"] + "-01")
    assert (census["delay_start_date"] < month_start + pd.to_timedelta(days_in_month, unit="D")).all()
    census_day = pd.Series(dd.last_thursday(month_start.to_numpy().astype("datetime64[M]"))).astype("datetime64[s]")
    flagged = census[census["delayed_at_census"] == 1]
    assert (flagged["delay_start_date"] < census_day[flagged.index].to_numpy()).all()
    # One delay at a time per person: a person's delayed nights in a month fit in the month.
    per_person = census.groupby(["patient_id", "census_month"])["bed_days_in_month"].sum()
    month_days = pd.to_datetime(per_person.index.get_level_values("census_month") + "-01").days_in_month
    assert (per_person.to_numpy() <= month_days.to_numpy()).all()


def test_older_people_and_reasons_are_plausible(census):
    at_census = census[census["delayed_at_census"] == 1]
    assert 0.55 <= (at_census["age_group"] == "75+").mean() <= 0.75
    groups = at_census["reason_group"].value_counts(normalize=True)
    assert 0.55 <= groups["health_and_social_care"] <= 0.8
    assert 0.15 <= groups["code_9"] <= 0.4 and 0.02 <= groups["patient_family"] <= 0.12
    assert (census["reason_group"] == census["reason_code"].map({c: g for c, (g, _) in dd.REASON_CODES.items()})).all()


def test_median_delay_at_the_census_point_is_about_three_weeks(census):
    at_census = census[census["delayed_at_census"] == 1]
    census_day = dd.last_thursday(pd.to_datetime(at_census["census_month"] + "-01").to_numpy().astype("datetime64[M]"))
    length = (census_day - at_census["delay_start_date"].to_numpy().astype("datetime64[D]")).astype(int)
    assert 12 <= np.median(length) <= 35


def test_last_thursday():
    months = np.array(["2023-02", "2022-12", "2024-02"], dtype="datetime64[M]")
    assert [str(d) for d in dd.last_thursday(months)] == ["2023-02-23", "2022-12-29", "2024-02-29"]
