"""The synthetic deaths twin: deterministic, labelled, on contract, plausible, and linked to SMR01."""

import hashlib

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from tests.support import TEST_SEED, TEST_YEAR
from tests.unit.synthetic import twins
from transforms.synthetic import deaths as deaths_twin
from transforms.validate import validate_frame


@pytest.fixture(scope="module")
def inputs(synthetic_extract):
    return (
        pd.read_parquet(synthetic_extract),
        pd.read_parquet(twins.ae_extract()),
        pd.read_parquet(twins.delayed_extract()),
    )


def _generate(inputs):
    episodes, attendances, delayed = inputs
    return deaths_twin.generate(
        twins.reference(), [TEST_YEAR], TEST_SEED, episodes, attendances=attendances, delayed=delayed
    )


@pytest.fixture(scope="module")
def path(inputs, tmp_path_factory):
    folder = tmp_path_factory.mktemp("deaths")
    return deaths_twin.write_extract(
        _generate(inputs),
        folder / deaths_twin.extract_file_name(TEST_SEED, [TEST_YEAR]),
        seed=TEST_SEED,
        financial_years=[TEST_YEAR],
    )


@pytest.fixture(scope="module")
def deaths(path):
    return pd.read_parquet(path)


@pytest.fixture(scope="module")
def population():
    return twins.reference().hscp_population.query("year == @TEST_YEAR")


def test_same_seed_gives_byte_identical_files(tmp_path, inputs, path):
    again = deaths_twin.write_extract(
        _generate(inputs), tmp_path / "again.parquet", seed=TEST_SEED, financial_years=[TEST_YEAR]
    )
    assert hashlib.sha256(again.read_bytes()).digest() == hashlib.sha256(path.read_bytes()).digest()


def test_file_is_labelled_synthetic(path):
    meta = pq.ParquetFile(path).schema_arrow.metadata
    assert meta[b"synthetic"] == b"true" and b"SYNTHETIC" in meta[b"notice"]
    assert meta[b"generator"] == b"transforms.synthetic.deaths"
    assert meta[b"seed"] == str(TEST_SEED).encode()
    assert "SYNTHETIC" in path.name


def test_passes_its_suite(deaths, path):
    _, failures = validate_frame(deaths, "deaths", path.name, reference_sets=twins.reference_sets())
    assert failures == []
    assert list(deaths.columns) == deaths_twin.COLUMNS


def test_suite_rejects_a_second_death_of_one_person(deaths):
    raw = deaths.head(20).copy()
    raw.loc[1, "patient_id"] = raw.loc[0, "patient_id"]
    raw.loc[2, "place_of_death"] = "hospice"
    _, failures = validate_frame(raw, "deaths", "deaths.csv", reference_sets=twins.reference_sets())
    found = {(f.expectation, f.column) for f in failures}
    assert ("expect_column_values_to_be_unique", "patient_id") in found
    assert ("expect_column_values_to_be_in_set", "place_of_death") in found


def test_about_11_deaths_per_1000_mostly_at_75_plus(deaths, population):
    rate = len(deaths) / population["population"].sum() * 1000
    assert 9.5 <= rate <= 13
    assert 0.55 <= (deaths["age"] >= 75).mean() <= 0.75
    assert (
        deaths["date_of_death"]
        .between(pd.Timestamp(f"{TEST_YEAR}-04-01"), pd.Timestamp(f"{TEST_YEAR + 1}-03-31"))
        .all()
    )
    older = (deaths["age"] >= 75).sum() / population.query("age >= 75")["population"].sum()
    younger = (deaths["age"] < 65).sum() / population.query("age < 65")["population"].sum()
    assert older > 20 * younger


def test_places_of_death_are_plausible(deaths):
    share = deaths["place_of_death"].value_counts(normalize=True)
    assert 0.35 <= share["hospital"] <= 0.55
    assert 0.2 <= share["home"] <= 0.4 and 0.1 <= share["care_home"] <= 0.3 and share["other"] <= 0.1


def test_many_decedents_have_smr01_stays_and_nobody_is_active_after_death(deaths, inputs):
    episodes, attendances, delayed = inputs
    when = deaths[["patient_id", "date_of_death"]]
    stays = episodes[["patient_id", "discharge_date"]].merge(when, on="patient_id")
    assert 0.4 <= stays["patient_id"].nunique() / len(deaths) <= 0.8
    assert (stays["discharge_date"] <= stays["date_of_death"]).all()
    seen = attendances[["patient_id", "arrival_datetime"]].merge(when, on="patient_id")
    assert len(seen) > 0 and (seen["arrival_datetime"].dt.normalize() <= seen["date_of_death"]).all()
    waiting = delayed[["patient_id", "delay_start_date"]].merge(when, on="patient_id")
    assert (waiting["delay_start_date"] <= waiting["date_of_death"]).all()


def test_hospital_deaths_happen_on_the_last_discharge_and_match_the_person(deaths, inputs):
    in_hospital = deaths[deaths["place_of_death"] == "hospital"]
    stays = inputs[0].merge(in_hospital[["patient_id"]], on="patient_id")
    last = stays.sort_values("discharge_date").groupby("patient_id")[["discharge_date", "datazone2011", "sex"]].last()
    matched = in_hospital.set_index("patient_id").join(last, rsuffix="_smr01", how="left")
    assert matched["discharge_date"].notna().all()
    assert (matched["discharge_date"] == matched["date_of_death"]).all()
    assert (matched["datazone2011"] == matched["datazone2011_smr01"]).all()
    assert (matched["sex"] == matched["sex_smr01"]).all()


def test_last_six_months_of_life_mostly_at_home_or_in_the_community(deaths, inputs):
    """NI-15: 1 - hospital bed days in the 182.5 days before death / (deaths x 182.5)."""
    stays = inputs[0].merge(deaths[["patient_id", "date_of_death"]], on="patient_id")
    start = np.maximum(stays["admission_date"], stays["date_of_death"] - pd.Timedelta(days=182))
    end = np.minimum(stays["discharge_date"], stays["date_of_death"])
    bed_days = (end - start).dt.days.clip(lower=0).sum()
    ni15 = 1 - bed_days / (len(deaths) * 182.5)
    assert 0.85 <= ni15 <= 0.98
