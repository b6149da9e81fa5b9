"""The synthetic SMR01 twin's diagnoses: on contract, plausible by age, with falls and PPAs."""

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from tests.support import TEST_YEAR
from transforms.reference import icd10_groups
from transforms.synthetic import diagnoses, smr01

ICD10 = r"[A-Z][0-9]{2}(?:[0-9X][0-9A-Z]?)?"


@pytest.fixture(scope="module")
def episodes(synthetic_extract):
    return pq.read_table(synthetic_extract).to_pandas()


@pytest.fixture(scope="module")
def emergency(episodes):
    first = episodes[episodes["episode_number"] == 1]
    return first[first["admission_type"].str[0].isin(["2", "3"])]


def test_generator_version_and_columns(episodes, synthetic_extract):
    assert smr01.GENERATOR_VERSION == "2"
    assert f"_v{smr01.GENERATOR_VERSION}_" in synthetic_extract.name
    assert list(episodes.columns) == smr01.COLUMNS
    assert smr01.COLUMNS[-6:] == ["main_condition"] + [f"other_condition_{i}" for i in range(1, 6)]


def test_codes_have_the_contract_format_and_main_is_never_empty(episodes):
    assert episodes["main_condition"].notna().all()
    for column in smr01.DIAGNOSIS_COLUMNS:
        values = episodes[column].dropna()
        assert values.str.fullmatch(ICD10).all(), column
        assert (values.str.len() == 4).all()


def test_other_conditions_are_filled_in_order_without_repeats(episodes):
    dx = episodes[smr01.DIAGNOSIS_COLUMNS].drop_duplicates().head(200_000).to_numpy(dtype=object)
    present = pd.notna(dx[:, 1:])
    assert not (~present[:, :-1] & present[:, 1:]).any()  # no gap before a filled position
    for i in range(dx.shape[1]):
        for j in range(i + 1, dx.shape[1]):
            both = pd.notna(dx[:, i]) & pd.notna(dx[:, j])
            assert not (dx[both, i] == dx[both, j]).any()


def test_every_episode_of_a_stay_carries_the_stays_diagnoses(episodes):
    several = episodes[episodes.duplicated("cis_id", keep=False)]
    assert len(several) > 0
    assert (several.groupby("cis_id")[smr01.DIAGNOSIS_COLUMNS].nunique(dropna=False) == 1).all().all()


def test_potentially_preventable_admissions_are_plausible_and_rise_with_age(emergency):
    ppa = icd10_groups.ppa_condition(emergency).notna()
    assert 0.08 <= ppa.mean() <= 0.20
    older, adults = (
        ppa[emergency["age_at_admission"] >= 75].mean(),
        ppa[emergency["age_at_admission"].between(18, 64)].mean(),
    )
    assert older > 1.5 * adults
    conditions = icd10_groups.ppa_condition(emergency).value_counts()
    assert {"COPD", "Congestive heart failure", "Asthma", "Cellulitis"} <= set(conditions.index)


def test_falls_of_people_aged_65_plus_are_plausible(episodes, reference_tables):
    first = episodes[episodes["episode_number"] == 1]
    falls = first[icd10_groups.is_fall_admission(first) & (first["age_at_admission"] >= 65)]
    population = reference_tables.hscp_population
    aged_65_plus = population[(population["year"] == TEST_YEAR) & (population["age"] >= 65)]["population"].sum()
    per_1000 = len(falls) / aged_65_plus * 1000
    assert 15 <= per_1000 <= 35  # NI-16 in Scotland: about 22 per 1,000 aged 65+
    injuries = first[first["admission_type"].isin(["33", "34", "35"])]
    fall_share = icd10_groups.has_fall_cause(injuries).groupby(injuries["age_at_admission"] >= 65).mean()
    assert fall_share[True] > 0.8 and fall_share[True] > fall_share[False] + 0.2


def test_injuries_have_an_injury_code_and_an_external_cause(emergency):
    injuries = emergency[emergency["admission_type"].isin(["31", "32", "33", "34", "35"])]
    assert injuries["main_condition"].str[0].isin(["S", "T"]).all()
    assert injuries["other_condition_1"].str[0].isin(["V", "W", "X", "Y"]).all()
    self_harm = injuries[injuries["admission_type"] == "31"]
    assert self_harm["other_condition_1"].str[:2].isin(["X6", "X7", "X8"]).all()
    others = emergency[~emergency["admission_type"].isin(["31", "32", "33", "34", "35"])]
    assert not others["main_condition"].str[0].eq("S").any()  # T78.1, a food reaction, is not an injury
    assert not others[smr01.DIAGNOSIS_COLUMNS[1:]].apply(lambda c: c.str[0].isin(["V", "W", "X", "Y"])).any().any()


def test_diagnoses_are_plausible_by_age_and_sex(emergency):
    infants = emergency[emergency["age_at_admission"] == 0]["main_condition"]
    assert infants.isin(["J219", "P599"]).mean() > 0.2  # bronchiolitis, neonatal jaundice
    pregnancy = emergency[emergency["main_condition"].str.startswith("O")]
    assert (pregnancy["sex"] == "2").all() and pregnancy["age_at_admission"].between(16, 44).all()
    comorbid = emergency[smr01.DIAGNOSIS_COLUMNS[1:]].notna().sum(axis=1)
    by_age = comorbid.groupby(pd.cut(emergency["age_at_admission"], [-1, 15, 64, 200])).mean()
    assert by_age.iloc[0] < by_age.iloc[1] < by_age.iloc[2]


def test_comorbidity_pools_never_make_a_stay_a_ppa():
    """A stay is a PPA only by its drawn main condition: no pool code counts in any position."""
    for band, pool in diagnoses.COMORBIDITY.items():
        rows = pd.DataFrame({"main_condition": ["R074"] * len(pool), "other_condition_1": list(pool)})
        assert icd10_groups.ppa_condition(rows).isna().all(), band
    for band, pool in diagnoses.PPA_MAIN.items():
        rows = pd.DataFrame({"main_condition": list(pool)})
        assert icd10_groups.ppa_condition(rows).notna().all(), band
    for band, pool in diagnoses.OTHER_EMERGENCY_MAIN.items():
        rows = pd.DataFrame({"main_condition": list(pool)})
        assert icd10_groups.ppa_condition(rows).isna().all(), band


def test_draw_is_deterministic_for_a_generator_state():
    age = np.array([0, 5, 30, 70, 90, 80])
    sex = np.array(["M", "F", "F", "M", "F", "M"])
    emergency = np.array([True, True, True, True, False, True])
    adm = np.array(["36", "30", "31", "33", "10", "33"])
    a = diagnoses.draw(np.random.default_rng(1), age, sex, emergency, adm)
    b = diagnoses.draw(np.random.default_rng(1), age, sex, emergency, adm)
    assert all((pd.Series(a[k]).fillna("") == pd.Series(b[k]).fillna("")).all() for k in a)
