"""Verdicts with polarity, the best quartile and the improvement opportunity (transforms.stats.compare).

Constructed cases: each verdict from an interval that lies above, below or across
the benchmark, and opportunities computed by hand from the formulas of
docs/methods/comparisons.md.
"""

from __future__ import annotations

import numpy as np
import pytest

from transforms.stats.compare import best_quartile, improvement_opportunity, verdict

# An interval wholly above 10, wholly below it, across it, and touching it (inside).
ABOVE, BELOW, ACROSS, TOUCHING = (11.0, 12.0), (8.0, 9.0), (9.0, 11.0), (10.0, 11.0)


@pytest.mark.parametrize(
    ("interval", "polarity", "expected"),
    [
        (ABOVE, "high is bad", "worse"),
        (BELOW, "high is bad", "better"),
        (ACROSS, "high is bad", "similar"),
        (TOUCHING, "high is bad", "similar"),
        (ABOVE, "high is good", "better"),
        (BELOW, "high is good", "worse"),
        (ABOVE, "no judgement", "higher"),
        (BELOW, "no judgement", "lower"),
        (ACROSS, "no judgement", "similar"),
    ],
)
def test_verdict_reads_the_interval_with_polarity(interval, polarity, expected):
    assert verdict([interval[0]], [interval[1]], [10.0], polarity).tolist() == [expected]


def test_verdict_without_limits_benchmark_or_polarity_is_not_compared():
    got = verdict([np.nan, 8.0, 8.0], [9.0, 9.0, 9.0], [10.0, np.nan, 10.0], ["high is bad", "high is bad", None])
    assert got.tolist() == ["not compared"] * 3


def test_verdict_takes_one_polarity_a_row():
    got = verdict([11.0, 11.0, 11.0], [12.0, 12.0, 12.0], 10.0, ["high is bad", "high is good", "no judgement"])
    assert got.tolist() == ["worse", "better", "higher"]


def test_verdict_refuses_an_unknown_polarity():
    with pytest.raises(ValueError, match="unknown polarity"):
        verdict([1.0], [2.0], [3.0], "low is good")


def test_best_quartile_is_the_25th_or_75th_percentile_by_polarity():
    values = [4.0, 1.0, 3.0, 2.0, np.nan]  # sorted 1 2 3 4: positions 0.75 and 2.25
    assert best_quartile(values, "high is bad") == pytest.approx(1.75)
    assert best_quartile(values, "high is good") == pytest.approx(3.25)
    assert np.isnan(best_quartile(values, "no judgement"))
    assert np.isnan(best_quartile([np.nan], "high is bad"))


def test_opportunity_of_a_crude_rate_by_hand():
    # 150 admissions in 10,000 people is 15 per 1,000; at 12 per 1,000 there would be 120: 30 fewer.
    got = improvement_opportunity(150, 10_000, 15.0, 12.0, 1000, "crude rate", "high is bad")
    assert float(got) == pytest.approx(30.0)


def test_opportunity_is_zero_where_the_area_is_already_there():
    got = improvement_opportunity(
        [100, 120], [10_000, 10_000], [10.0, 12.0], [12.0, 12.0], 1000, "crude rate", "high is bad"
    )
    assert got.tolist() == [0.0, 0.0]


def test_opportunity_of_a_percentage_where_high_is_good_by_hand():
    # 700 of 1,000 seen within 4 hours (70%); at 95% it would be 950: 250 more.
    got = improvement_opportunity(700, 1000, 70.0, 95.0, 100, "percentage", "high is good")
    assert float(got) == pytest.approx(250.0)


def test_opportunity_of_an_age_standardised_rate_scales_the_observed_events():
    # 400 admissions at a DSR of 12,500 per 100,000; at 10,000 the same age pattern gives 320: 80 fewer.
    got = improvement_opportunity(
        400, np.nan, 12_500.0, 10_000.0, 100_000, "directly age-standardised rate", "high is bad"
    )
    assert float(got) == pytest.approx(80.0)


def test_opportunity_is_missing_for_no_judgement_other_methods_and_suppressed_counts():
    got = improvement_opportunity(
        [150, 150, np.nan],
        [10_000, 10_000, 10_000],
        [15.0, 15.0, np.nan],
        [12.0, 12.0, 12.0],
        1000,
        ["crude rate", "mean per day", "crude rate"],
        ["no judgement", "high is bad", "high is bad"],
    )
    assert np.isnan(got).all()
