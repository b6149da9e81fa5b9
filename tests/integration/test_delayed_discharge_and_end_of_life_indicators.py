"""Delayed discharge bed days (NI-19, 65+ and 75+, by reason group) and NI-15, checked
against the synthetic extracts they were built from.

One pipeline run (ingest, validate, build with every dbt test, publish) for the
module; the Scotland numerators and denominators are recomputed here in pandas
from the extracts, by a different route from the SQL (NI-15 counts distinct
hospital nights per person instead of merging stays).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tests.support import TEST_YEAR, synthetic_twins
from transforms.catalogue import load_catalogue

pytestmark = pytest.mark.slow

REASON_GROUPS = ("health_and_social_care", "patient_family", "code_9")
LOOK_BACK_DAYS = 183
PERIOD = f"{TEST_YEAR}/{(TEST_YEAR + 1) % 100:02d}"


def _dd_ids(age: int) -> dict[str | None, str]:
    base = f"delayed_discharge_bed_days_{age}_plus_per_1000"
    return {None: base, **{g: f"{base}_{g}" for g in REASON_GROUPS}}


@pytest.fixture(scope="module")
def release(indicator_run):
    """The run's marts (unsuppressed, so the counts can be recomputed exactly)."""
    return indicator_run[2]


def _all_quintiles(release, indicator_id: str) -> pd.DataFrame:
    """The rows of every area (not its SIMD quintile breakdown) of a mart."""
    mart = pd.read_parquet(release / f"{indicator_id}.parquet")
    return mart[mart["simd_quintile"] == "all"]


def _scotland(release, indicator_id: str) -> pd.DataFrame:
    mart = _all_quintiles(release, indicator_id)
    return mart[mart["geography_level"] == "scotland"].set_index("age_group")


@pytest.fixture(scope="module")
def population(reference_tables):
    return reference_tables.hscp_population.query("year == @TEST_YEAR")


@pytest.fixture(scope="module")
def census():
    census = pd.read_parquet(synthetic_twins()["delayed_discharges"])
    months = [str(p) for p in pd.period_range(f"{TEST_YEAR}-04", f"{TEST_YEAR + 1}-03", freq="M")]
    return census[census["census_month"].isin(months)]


def test_release_has_every_new_indicator_with_its_catalogue_entry(release, indicator_run):
    ids = [*_dd_ids(75).values(), *_dd_ids(65).values(), "ni15_last_six_months_at_home_percent"]
    catalogue = {i.id: i for i in load_catalogue()}
    latest = indicator_run[0].output_dir / "latest"
    published = {i["id"] for i in json.loads((latest / "indicators.json").read_text())}
    for ident in ids:
        mart = pd.read_parquet(release / f"{ident}.parquet")
        assert set(mart["indicator_id"]) == {ident}
        assert set(mart["age_group"]) == set(catalogue[ident].age_groups)
        assert set(mart["period"]) == {PERIOD}
        assert mart["is_synthetic"].all()
        assert ident in published


@pytest.mark.parametrize("age", [75, 65])
def test_delayed_bed_days_match_the_extract_for_every_reason_group(release, census, population, age):
    older = census[census["age"] >= age]
    expected_population = population.query("age >= @age")["population"].sum()
    for group, ident in _dd_ids(age).items():
        rows = older if group is None else older[older["reason_group"] == group]
        scot = _scotland(release, ident).loc[f"{age}+"]
        assert scot["numerator"] == rows["bed_days_in_month"].sum() > 0, ident
        assert scot["denominator"] == expected_population, ident
        assert scot["value"] == pytest.approx(1000 * scot["numerator"] / expected_population), ident
        assert scot["method"] == "crude rate" and scot["multiplier"] == 1000


@pytest.mark.parametrize("age", [75, 65])
def test_reason_groups_add_up_in_every_area_and_carry_no_interval(release, age):
    ids = _dd_ids(age)
    key = ["period", "geography_level", "geography_code", "age_group"]
    total = _all_quintiles(release, ids[None]).set_index(key)
    parts = sum(_all_quintiles(release, ids[g]).set_index(key)["numerator"] for g in REASON_GROUPS)
    pd.testing.assert_series_equal(total["numerator"].sort_index(), parts.sort_index(), check_dtype=False)
    assert total["ci95_lower"].isna().all() and total["ci998_upper"].isna().all()
    assert set(total["compared_with_scotland_95"].dropna()) == {"benchmark"}
    counts = total.reset_index()["geography_level"].value_counts()
    assert counts.to_dict() == {
        "datazone": 6976,
        "intzone": 1279,
        "locality": 127,
        "hscp": 31,
        "health_board": 14,
        "scotland": 1,
    }


def _hospital_nights(deaths: pd.DataFrame, episodes: pd.DataFrame) -> pd.Series:
    """Distinct nights in SMR01 stays in the LOOK_BACK_DAYS before death, per person."""
    stays = episodes.groupby("cis_id").agg(
        patient_id=("patient_id", "first"), admission=("admission_date", "min"), discharge=("discharge_date", "max")
    )
    stays = stays.merge(deaths[["patient_id", "date_of_death"]], on="patient_id")
    death = stays["date_of_death"].to_numpy().astype("datetime64[D]").astype(np.int64)
    start = np.maximum(stays["admission"].to_numpy().astype("datetime64[D]").astype(np.int64), death - LOOK_BACK_DAYS)
    end = np.minimum(stays["discharge"].to_numpy().astype("datetime64[D]").astype(np.int64), death)
    nights = np.maximum(end - start, 0)
    person = np.repeat(stays["patient_id"].to_numpy(), nights)
    night = np.repeat(start, nights) + (np.arange(nights.sum()) - np.repeat(np.cumsum(nights) - nights, nights))
    distinct = pd.DataFrame({"patient_id": person, "night": night}).drop_duplicates()
    return distinct.groupby("patient_id").size()


def test_ni15_matches_the_deaths_and_smr01_extracts(release):
    twins = synthetic_twins()
    deaths = pd.read_parquet(twins["deaths"])
    fy = deaths["date_of_death"].dt.year - (deaths["date_of_death"].dt.month < 4)
    covered_from = pd.Timestamp(f"{TEST_YEAR}-04-01") + pd.Timedelta(days=LOOK_BACK_DAYS)
    in_scope = deaths[(fy == TEST_YEAR) & (deaths["date_of_death"] >= covered_from)].copy()
    # The look-back rule removes the deaths of the first half of the first year.
    assert 0 < len(in_scope) < (fy == TEST_YEAR).sum()
    nights = _hospital_nights(in_scope, pd.read_parquet(twins["smr01_episodes"]))
    in_scope["hospital"] = in_scope["patient_id"].map(nights).fillna(0)
    assert (in_scope["hospital"] <= LOOK_BACK_DAYS).all() and in_scope["hospital"].sum() > 0

    scot = _scotland(release, "ni15_last_six_months_at_home_percent")
    for age_group, min_age in (("All ages", 0), ("65+", 65), ("75+", 75)):
        group = in_scope[in_scope["age"] >= min_age]
        days = LOOK_BACK_DAYS * len(group)
        row = scot.loc[age_group]
        assert row["denominator"] == days, age_group
        assert row["numerator"] == days - group["hospital"].sum(), age_group
        assert row["value"] == pytest.approx(100 * row["numerator"] / days)
        # Against PHS's divisor of 182.5 days: the documented difference (hospital share x 0.27 %).
        phs = 100 - 100 * group["hospital"].sum() / len(group) / 182.5
        assert abs(row["value"] - phs) <= (100 - row["value"]) * 0.003
    assert row["method"] == "percentage" and row["multiplier"] == 100
    assert scot["ci95_lower"].isna().all()


def test_ni15_areas_add_up_and_values_are_percentages(release):
    mart = _all_quintiles(release, "ni15_last_six_months_at_home_percent")
    assert mart["value"].dropna().between(0, 100).all()
    missing = mart[mart["value"].isna()]  # data zones (counts only) and areas with no deaths
    assert ((missing["geography_level"] == "datazone") | (missing["denominator"] == 0)).all()
    assert (mart["denominator"] % LOOK_BACK_DAYS == 0).all()
    for child, parent_col, parent in (("locality", "hscp2019", "hscp"), ("hscp", "hb2019", "health_board")):
        sums = (
            mart[mart["geography_level"] == child]
            .groupby(["age_group", parent_col])[["numerator", "denominator"]]
            .sum()
        )
        parents = mart[mart["geography_level"] == parent].set_index(["age_group", "geography_code"])[
            ["numerator", "denominator"]
        ]
        parents.index.names = sums.index.names
        pd.testing.assert_frame_equal(sums.sort_index(), parents.sort_index(), check_dtype=False)
