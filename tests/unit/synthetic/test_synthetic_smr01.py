"""The synthetic SMR01 twin: deterministic, labelled, plausible, and on contract."""

import hashlib

import numpy as np
import pyarrow.parquet as pq
import pytest

from tests.support import TEST_SEED, TEST_YEAR
from transforms.synthetic import smr01


@pytest.fixture(scope="module")
def episodes(synthetic_extract):
    return pq.read_table(synthetic_extract).to_pandas()


def _emergency_stays(episodes):
    first = episodes[episodes["episode_number"] == 1]
    return first[first["admission_type"].str[0].isin(["2", "3"])]


def test_same_seed_gives_byte_identical_files(tmp_path, reference_tables, synthetic_extract):
    again = smr01.write_extract(
        smr01.generate(reference_tables, [TEST_YEAR], TEST_SEED),
        tmp_path / "again.parquet",
        seed=TEST_SEED,
        financial_years=[TEST_YEAR],
    )
    digest = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
    assert digest(again) == digest(synthetic_extract)


def test_another_seed_gives_other_records(reference_tables, episodes):
    other = smr01.generate(reference_tables, [TEST_YEAR], TEST_SEED + 1)
    assert len(other) != len(episodes) or not other["cis_id"].equals(episodes["cis_id"])


def test_file_metadata_says_synthetic(synthetic_extract):
    meta = pq.ParquetFile(synthetic_extract).schema_arrow.metadata
    assert meta[b"synthetic"] == b"true"
    assert b"SYNTHETIC" in meta[b"notice"]
    assert meta[b"seed"] == str(TEST_SEED).encode()
    assert "SYNTHETIC" in synthetic_extract.name


def test_columns_follow_the_contract(episodes):
    assert list(episodes.columns) == smr01.COLUMNS
    assert episodes["patient_id"].str.fullmatch(r"P[0-9a-f]{16}").all()
    assert (episodes["discharge_date"] >= episodes["admission_date"]).all()
    assert not episodes.duplicated(["cis_id", "episode_number"]).any()


def test_rates_are_plausible_by_age_and_deprivation(episodes, reference_tables):
    stays = _emergency_stays(episodes)
    pop = reference_tables.hscp_population.query("year == @TEST_YEAR")
    overall = len(stays) / pop["population"].sum() * 1000
    assert 85 <= overall <= 115  # about 100 per 1,000 a year
    older = (stays["age_at_admission"] >= 65).sum() / pop.query("age >= 65")["population"].sum()
    younger = (stays["age_at_admission"] < 65).sum() / pop.query("age < 65")["population"].sum()
    assert older > 3 * younger  # rising steeply after 65
    dz_pop = reference_tables.datazone_population.groupby("datazone2011")["population"].sum()
    quintile = reference_tables.simd.set_index("datazone2011")["simd2020v2_sc_quintile"]
    by_q = stays["datazone2011"].map(quintile).value_counts() / dz_pop.groupby(quintile).sum()
    assert by_q[1] > by_q[3] > by_q[5]  # more admissions in more deprived areas


def test_every_financial_year_month_has_admissions(episodes):
    months = _emergency_stays(episodes)["admission_date"].dt.to_period("M").unique()
    assert len(months) == 12
    assert min(months).strftime("%Y-%m") == f"{TEST_YEAR}-04"


def test_some_patients_have_repeat_stays(episodes):
    stays = episodes[episodes["episode_number"] == 1]
    repeats = stays.groupby("patient_id").size()
    assert (repeats > 1).mean() > 0.01
    assert np.isfinite(repeats.max())
