"""A&E indicators recomputed in pandas: from the synthetic record-level extract for the
residence-based ones, from the published monthly file for the 4-hour standard by board.

Uses the session's shared pipeline run (conftest.indicator_run); the published file is
the copy in ../shared/data, and its test is skipped without it.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.support import PUBLISHED_AGGREGATES, TEST_YEAR, synthetic_twins

pytestmark = pytest.mark.slow

PERIOD = f"{TEST_YEAR}/{(TEST_YEAR + 1) % 100:02d}"
AGE_BOUNDS = {"All ages": (0, 200), "<18": (0, 17), "18-64": (18, 64), "65+": (65, 200), "75+": (75, 200)}
AE_MONTHLY = PUBLISHED_AGGREGATES["public_ae_monthly"]


@pytest.fixture(scope="module")
def marts(indicator_run):
    return indicator_run[2]


@pytest.fixture(scope="module")
def attendances():
    """New and unplanned return attendances arriving in TEST_YEAR (planned returns are not counted)."""
    ae = pd.read_parquet(synthetic_twins()["ae_attendances"])
    arrival = pd.to_datetime(ae["arrival_datetime"])
    fy = arrival.dt.year - (arrival.dt.month < 4)
    ae = ae[(fy == TEST_YEAR) & ae["attendance_category"].isin(["new", "unplanned_return"])].copy()
    minutes = (
        pd.to_datetime(ae["discharge_datetime"]) - pd.to_datetime(ae["arrival_datetime"])
    ).dt.total_seconds() / 60
    ae["within_4_hours"] = minutes <= 240
    return ae


def _scotland(marts, name: str) -> pd.DataFrame:
    mart = pd.read_parquet(marts / f"{name}.parquet")
    assert set(mart["period"]) == {PERIOD}
    return mart[(mart["geography_level"] == "scotland") & (mart["simd_quintile"] == "all")].set_index("age_group")


def _in_group(ages: pd.Series, group: str) -> pd.Series:
    low, high = AGE_BOUNDS[group]
    return ages.between(low, high)


@pytest.mark.parametrize("group", list(AGE_BOUNDS))
def test_attendances_and_the_four_hour_share_match_the_extract(marts, attendances, group):
    rows = attendances[_in_group(attendances["age"], group)]
    rate = _scotland(marts, "ae_attendances_per_1000").loc[group]
    assert rate["numerator"] == len(rows)
    share = _scotland(marts, "ae_seen_within_4_hours_percent").loc[group]
    assert (share["numerator"], share["denominator"]) == (int(rows["within_4_hours"].sum()), len(rows))
    assert share["value"] == pytest.approx(100 * rows["within_4_hours"].mean())
    assert share["ci95_lower"] < share["value"] < share["ci95_upper"]  # Wilson limits present
    assert share["ci998_lower"] < share["ci95_lower"]


def test_repeat_attenders_are_people_with_three_or_more_attendances(marts, attendances):
    counts = attendances.groupby("patient_id").size()
    scot = _scotland(marts, "ae_repeat_attenders_per_1000")
    assert scot.loc["All ages", "numerator"] == int((counts >= 3).sum())
    assert (
        scot.loc["All ages", "denominator"]
        == _scotland(marts, "ae_attendances_per_1000").loc["All ages", "denominator"]
    )


@pytest.mark.skipif(not AE_MONTHLY.exists(), reason=f"published aggregate {AE_MONTHLY} is not beside this clone")
def test_four_hour_standard_by_board_matches_the_published_file(marts):
    published = pd.read_csv(AE_MONTHLY, dtype={"Month": str})
    month = published["Month"].astype(int)
    fy = month // 100 - ((month % 100) < 4)
    year = published[fy == TEST_YEAR]
    mart = pd.read_parquet(marts / "ae_4_hour_standard_by_board.parquet")
    assert set(mart["geography_level"]) == {"health_board", "scotland"}
    assert not mart["is_synthetic"].any()
    scot = mart[mart["geography_level"] == "scotland"].iloc[0]
    assert (scot["numerator"], scot["denominator"]) == (
        int(year["NumberWithin4HoursAll"].sum()),
        int(year["NumberOfAttendancesAll"].sum()),
    )
    boards = mart[mart["geography_level"] == "health_board"].set_index("geography_code")
    by_board = year.groupby("HBT")[["NumberWithin4HoursAll", "NumberOfAttendancesAll"]].sum()
    assert sorted(boards.index) == sorted(by_board.index)
    assert (boards.loc[by_board.index, "numerator"].to_numpy() == by_board["NumberWithin4HoursAll"].to_numpy()).all()
