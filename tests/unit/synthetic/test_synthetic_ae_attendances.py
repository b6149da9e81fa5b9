"""The synthetic A&E twin: deterministic, labelled, on contract, plausible."""

import hashlib

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from tests.support import TEST_SEED, TEST_YEAR
from tests.unit.synthetic import twins
from transforms.synthetic import ae_attendances
from transforms.validate import validate_frame


@pytest.fixture(scope="module")
def path():
    return twins.ae_extract()


@pytest.fixture(scope="module")
def attendances(path):
    frame = pd.read_parquet(path)
    return frame.assign(minutes=(frame["discharge_datetime"] - frame["arrival_datetime"]).dt.total_seconds() / 60)


@pytest.fixture(scope="module")
def population():
    return twins.reference().hscp_population.query("year == @TEST_YEAR")


def _sha(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_same_seed_gives_byte_identical_files(tmp_path, path):
    again = ae_attendances.write_extract(
        ae_attendances.generate(twins.reference(), [TEST_YEAR], TEST_SEED),
        tmp_path / "again.parquet",
        seed=TEST_SEED,
        financial_years=[TEST_YEAR],
    )
    assert _sha(again) == _sha(path)


def test_file_is_labelled_synthetic(path):
    meta = pq.ParquetFile(path).schema_arrow.metadata
    assert meta[b"synthetic"] == b"true" and b"SYNTHETIC" in meta[b"notice"]
    assert meta[b"generator"] == b"transforms.synthetic.ae_attendances"
    assert meta[b"generator_version"] == ae_attendances.GENERATOR_VERSION.encode()
    assert meta[b"seed"] == str(TEST_SEED).encode()
    assert "SYNTHETIC" in path.name and f"seed{TEST_SEED}" in path.name


def test_passes_its_suite(path):
    raw = pd.read_parquet(path)
    typed, failures = validate_frame(raw, "ae_attendances", path.name, reference_sets=twins.reference_sets())
    assert failures == []
    assert list(raw.columns) == ae_attendances.COLUMNS
    assert typed["arrival_datetime"].str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d").all()


def test_suite_rejects_a_chi_number_a_t_separator_and_a_bad_category(attendances):
    raw = attendances.drop(columns="minutes").head(50).copy()
    raw["arrival_datetime"] = raw["arrival_datetime"].dt.strftime("%Y-%m-%d %H:%M:%S")
    raw["discharge_datetime"] = raw["discharge_datetime"].dt.strftime("%Y-%m-%d %H:%M:%S")
    raw.loc[0, "patient_id"] = "0101011234"
    raw.loc[1, "arrival_datetime"] = raw.loc[1, "arrival_datetime"].replace(" ", "T")
    raw.loc[2, "attendance_category"] = "return"
    raw.loc[3, "discharge_datetime"] = "2000-01-01 00:00:00"
    _, failures = validate_frame(raw, "ae_attendances", "ae.csv", reference_sets=twins.reference_sets())
    found = {(f.expectation, f.column) for f in failures}
    assert ("expect_column_values_to_not_match_regex", "patient_id") in found
    assert ("expect_column_values_to_match_regex", "arrival_datetime") in found
    assert ("expect_column_values_to_be_in_set", "attendance_category") in found
    assert ("expect_column_pair_values_a_to_be_greater_than_b", "discharge_datetime, arrival_datetime") in found
    assert "0101011234" not in str([f.examples for f in failures])


def test_every_arrival_is_in_the_year_and_ids_are_unique(attendances):
    assert attendances["arrival_datetime"].min() >= pd.Timestamp(f"{TEST_YEAR}-04-01")
    assert attendances["arrival_datetime"].max() < pd.Timestamp(f"{TEST_YEAR + 1}-04-01")
    assert attendances["attendance_id"].is_unique
    assert (attendances["minutes"] >= 0).all()


def test_about_300_attendances_per_1000_a_year(attendances, population):
    rate = len(attendances) / population["population"].sum() * 1000
    assert 250 <= rate <= 330


def test_rates_are_higher_in_young_adults_the_oldest_and_deprived_areas(attendances, population):
    def rate(lo, hi):
        n = attendances["age"].between(lo, hi).sum()
        return n / population.query("@lo <= age <= @hi")["population"].sum()

    assert rate(18, 24) > 1.3 * rate(40, 64)
    assert rate(85, 200) > 2 * rate(40, 64)
    ref = twins.reference()
    quintile = ref.simd.set_index("datazone2011")["simd2020v2_sc_quintile"]
    dz_pop = ref.datazone_population.groupby("datazone2011")["population"].sum()
    by_q = attendances["datazone2011"].map(quintile).value_counts() / dz_pop.groupby(quintile).sum()
    assert by_q[1] > by_q[3] > by_q[5] and by_q[1] > 1.6 * by_q[5]


def test_about_70_percent_within_4_hours_and_worse_in_winter(attendances):
    within = attendances["minutes"] <= 240
    assert 0.64 <= within.mean() <= 0.76
    month = attendances["arrival_datetime"].dt.month
    assert within[month.isin([12, 1, 2, 3])].mean() < within[month.isin([4, 5, 6, 7, 8, 9])].mean() - 0.03
    miu = attendances["department_type"] == "MIU"
    assert within[miu].mean() > within[~miu].mean()
    over_12h = (attendances["minutes"] > 720).mean()
    assert 0.005 <= over_12h <= 0.08


def test_sites_are_real_and_mostly_in_the_residents_board(attendances):
    ref = twins.reference()
    sites = ref.ae_sites[ref.ae_sites["financial_year"] == TEST_YEAR]
    keys = ["site_code", "department_type", "datazone2011"]
    pairs = (
        pa.table({k: attendances[k] for k in keys})
        .group_by(keys)
        .aggregate([("site_code", "count")])
        .to_pandas()
        .rename(columns={"site_code_count": "n"})
    )
    assert pairs["n"].sum() == len(attendances)
    known = set(zip(sites["site_code"], sites["department_type"], strict=False))
    assert set(zip(pairs["site_code"], pairs["department_type"], strict=False)) <= known
    pairs = pairs.merge(sites.drop_duplicates("site_code")[["site_code", "hb2019"]], on="site_code")
    pairs = pairs.merge(ref.geography[["datazone2011", "hb2019"]], on="datazone2011", suffixes=("_site", "_home"))
    same = pairs.loc[pairs["hb2019_site"] == pairs["hb2019_home"], "n"].sum() / len(attendances)
    assert 0.95 <= same < 1.0


def test_categories_and_returns_are_plausible(attendances):
    share = attendances["attendance_category"].value_counts(normalize=True)
    assert 0.88 <= share["new"] <= 0.97
    assert 0.01 <= share["unplanned_return"] <= 0.06 and 0.01 <= share["planned_return"] <= 0.07
    # An unplanned return follows a new attendance of the same person at the same site within 7 days.
    returns = attendances[attendances["attendance_category"] == "unplanned_return"].head(2000)
    firsts = attendances[
        attendances["patient_id"].isin(returns["patient_id"]) & (attendances["attendance_category"] == "new")
    ]
    pairs = returns.merge(firsts, on=["patient_id", "site_code"], suffixes=("", "_first"))
    gap = pairs["arrival_datetime"] - pairs["arrival_datetime_first"]
    pairs = pairs[(gap > pd.Timedelta(0)) & (gap <= pd.Timedelta(days=8))]
    assert pairs["attendance_id"].nunique() > 0.9 * len(returns)


def test_repeat_attenders_make_a_plausible_share(attendances):
    per_person = (
        pa.table({"p": attendances["patient_id"]})
        .group_by("p")
        .aggregate([("p", "count")])
        .column("p_count")
        .to_pandas()
    )
    three_plus = (per_person >= 3).mean()
    assert 0.03 <= three_plus <= 0.12
    assert 0.08 <= per_person[per_person >= 3].sum() / len(attendances) <= 0.30
    assert np.isfinite(per_person.max()) and per_person.max() < 60


def test_patients_are_named_like_smr01_patients(attendances, synthetic_extract):
    smr01 = pq.read_table(synthetic_extract, columns=["patient_id"]).column("patient_id")
    # The same synthetic people: a good share of A&E attenders also have a hospital stay.
    attenders = pa.array(attendances["patient_id"].drop_duplicates())
    shared = pc.mean(pc.is_in(attenders, value_set=pc.unique(smr01))).as_py()
    assert 0.05 <= shared <= 0.6
