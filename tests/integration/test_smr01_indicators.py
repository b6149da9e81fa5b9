"""Readmissions, potentially preventable admissions and falls, checked against the extracts.

One pipeline run (TEST_YEAR, synthetic twins) for the module; each Scotland figure is
counted again here in pandas, straight from the synthetic SMR01 and deaths files.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from tests.support import TEST_YEAR, synthetic_twins
from transforms.reference import icd10_groups

pytestmark = pytest.mark.slow

EMERGENCY_TYPES = {f"{t}" for t in [*range(20, 23), *range(30, 40)]}
AGE_BOUNDS = {"All ages": (0, 200), "<18": (0, 17), "18-64": (18, 64), "65+": (65, 200), "75+": (75, 200)}


@pytest.fixture(scope="module")
def latest(indicator_run):
    """The run's marts (unsuppressed, so the counts can be recomputed exactly)."""
    return indicator_run[2]


@pytest.fixture(scope="module")
def episodes():
    return pd.read_parquet(synthetic_twins()["smr01_episodes"])


@pytest.fixture(scope="module")
def emergency_first_episodes(episodes):
    first = episodes[episodes["episode_number"] == 1]
    return first[first["admission_type"].isin(EMERGENCY_TYPES)].reset_index(drop=True)


def _scotland(latest, mart):
    frame = pd.read_parquet(latest / f"{mart}.parquet")
    assert set(frame["period"]) == {f"{TEST_YEAR}/{(TEST_YEAR + 1) % 100:02d}"}
    return frame[(frame["geography_level"] == "scotland") & (frame["simd_quintile"] == "all")].set_index("age_group")


def _in_group(ages: pd.Series, group: str) -> pd.Series:
    low, high = AGE_BOUNDS[group]
    return ages.between(low, high)


def _population(reference_tables, group: str) -> int:
    pop = reference_tables.hscp_population.query("year == @TEST_YEAR")
    return int(pop.loc[_in_group(pop["age"], group), "population"].sum())


# --- emergency readmissions within 28 days -------------------------------------------------


@pytest.fixture(scope="module")
def index_stays(episodes):
    """Index stays and their readmission flag, by the NI-14 rules (see int_readmission_index_stays)."""
    ep = episodes.sort_values(["cis_id", "episode_number"])
    stays = (
        ep.groupby("cis_id", sort=False)
        .agg(
            patient_id=("patient_id", "first"),
            admission_date=("admission_date", "first"),
            discharge_date=("discharge_date", "max"),
            admission_type=("admission_type", "first"),
            age=("age_at_admission", "first"),
        )
        .reset_index()
    )
    deaths = pd.read_parquet(synthetic_twins()["deaths"])[["patient_id", "date_of_death"]]
    deaths["date_of_death"] = pd.to_datetime(deaths["date_of_death"])

    dis = stays["discharge_date"]
    fy = dis.dt.year - (dis.dt.month < 4)
    last_visible = pd.Timestamp(date(TEST_YEAR + 1, 3, 31) - timedelta(days=28))
    died = (
        stays.merge(deaths, on="patient_id", how="left")["date_of_death"]
        .between(stays["admission_date"], stays["discharge_date"])
        .to_numpy()
    )
    index = stays[(fy == TEST_YEAR) & (dis <= last_visible) & ~died].copy()
    # The rules must have had something to exclude for this check to mean anything.
    assert died.sum() > 0 and ((fy == TEST_YEAR) & (dis > last_visible)).sum() > 0

    later = stays[stays["admission_type"].isin(EMERGENCY_TYPES)]
    pairs = index.merge(later, on="patient_id", suffixes=("", "_next"))
    gap = (pairs["admission_date_next"] - pairs["discharge_date"]).dt.days
    after = (pairs["admission_date_next"] > pairs["admission_date"]) | (
        (pairs["admission_date_next"] == pairs["admission_date"])
        & (
            (pairs["discharge_date_next"] > pairs["discharge_date"])
            | ((pairs["discharge_date_next"] == pairs["discharge_date"]) & (pairs["cis_id_next"] > pairs["cis_id"]))
        )
    )
    hits = pairs[gap.between(0, 28) & (pairs["cis_id_next"] != pairs["cis_id"]) & after]
    index["readmitted"] = index["cis_id"].isin(hits["cis_id"])
    return index


@pytest.mark.parametrize("group", ["All ages", "<18", "65+", "75+"])
def test_readmissions_scotland_numerator_and_denominator_match_the_extracts(latest, index_stays, group):
    scot = _scotland(latest, "emergency_readmissions_28_days")
    stays = index_stays[_in_group(index_stays["age"], group)]
    assert scot.loc[group, "denominator"] == len(stays)
    assert scot.loc[group, "numerator"] == stays["readmitted"].sum()
    assert scot.loc[group, "numerator"] > 0


def test_readmissions_are_a_proportion_of_discharges(latest):
    mart = pd.read_parquet(latest / "emergency_readmissions_28_days.parquet")
    assert set(mart["method"]) == {"percentage"} and set(mart["multiplier"]) == {1000}
    assert (mart["numerator"] <= mart["denominator"]).all()
    rated = mart[(mart["denominator"] > 0) & (mart["geography_level"] != "datazone")]  # data zones: counts only
    assert ((rated["value"] - 1000 * rated["numerator"] / rated["denominator"]).abs() < 1e-9).all()


# --- potentially preventable admissions ------------------------------------------------------


@pytest.mark.parametrize("group", ["All ages", "<18", "18-64", "65+", "75+"])
def test_ppa_scotland_numerator_and_denominator_match_the_extract(
    latest, emergency_first_episodes, reference_tables, group
):
    scot = _scotland(latest, "potentially_preventable_admissions_per_1000")
    stays = emergency_first_episodes
    ppa = icd10_groups.ppa_condition(stays).notna() & _in_group(stays["age_at_admission"], group)
    assert scot.loc[group, "numerator"] == ppa.sum() > 0
    assert scot.loc[group, "denominator"] == _population(reference_tables, group)
    assert scot.loc[group, "value"] == pytest.approx(1000 * ppa.sum() / _population(reference_tables, group))


# --- falls, 65 and over ---------------------------------------------------------------------


def test_falls_scotland_numerator_and_denominator_match_the_extract(latest, emergency_first_episodes, reference_tables):
    scot = _scotland(latest, "falls_admissions_65_plus_per_1000")
    assert list(scot.index) == ["65+"]
    stays = emergency_first_episodes
    falls = icd10_groups.is_fall_admission(stays) & (stays["age_at_admission"] >= 65)
    assert scot.loc["65+", "numerator"] == falls.sum() > 0
    assert scot.loc["65+", "denominator"] == _population(reference_tables, "65+")
    # Falls of people under 65 exist in the extract and are left out.
    assert (icd10_groups.is_fall_admission(stays) & (stays["age_at_admission"] < 65)).any()


def test_every_area_has_a_row(latest):
    for mart, groups in (
        ("emergency_readmissions_28_days", 5),
        ("potentially_preventable_admissions_per_1000", 5),
        ("falls_admissions_65_plus_per_1000", 1),
    ):
        frame = pd.read_parquet(latest / f"{mart}.parquet")
        assert frame["is_synthetic"].all()
        areas = {"locality": 127, "hscp": 31, "health_board": 14, "scotland": 1}
        frame = frame[frame["geography_level"].isin(areas) & (frame["simd_quintile"] == "all")]
        counts = frame.groupby("geography_level")["geography_code"].nunique()
        assert counts.to_dict() == areas, mart
        assert len(frame) == groups * sum(areas.values()), mart
