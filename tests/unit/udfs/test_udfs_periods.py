"""Rolling 3-year periods: transforms.stats.periods and the dbt macro rolling_three_years.

The rule is "computed as sums over the period": numerators and denominators are
summed over the years, then the rate is computed once from the sums.  The
expected sums below are our own arithmetic on small made-up inputs (shown in
the comments); the macro (dbt_project/macros/rolling_periods.sql), rendered
with Jinja as dbt renders it, must give exactly the Python helper's rows.
"""

from __future__ import annotations

import duckdb
import jinja2
import numpy as np
import pandas as pd
import pytest

from transforms.config import REPO_ROOT
from transforms.stats.periods import financial_years_label, rolling_period_sums
from transforms.stats.rates import crude_rate_ci

MACROS = REPO_ROOT / "dbt_project" / "macros" / "rolling_periods.sql"


def _example() -> pd.DataFrame:
    # Area A has every year; area B has no row in 2019 (no events that year).
    return pd.DataFrame(
        {
            "area": ["A"] * 5 + ["B"] * 4,
            "year": [2017, 2018, 2019, 2020, 2021, 2017, 2018, 2020, 2021],
            "events": [10, 12, 14, 16, 18, 1, 2, 3, 4],
            "pop": [1000, 1000, 1000, 1000, 1000, 500, 500, 500, 500],
        }
    )


def test_sums_over_three_years_by_hand():
    out = rolling_period_sums(_example(), "year", ["events", "pop"], "area")
    assert list(out.columns) == ["area", "first_year", "last_year", "n_years", "events", "pop"]
    # Periods end in 2019, 2020, 2021 (the first two years have no full period).
    # A: 10+12+14 = 36, 12+14+16 = 42, 14+16+18 = 48; pop 3000 each.
    # B: 1+2 = 3, 2+3 = 5, 3+4 = 7 (2019 contributes nothing); pop 1000, 1000, 1000.
    assert out[["area", "first_year", "last_year"]].values.tolist() == [
        ["A", 2017, 2019], ["A", 2018, 2020], ["A", 2019, 2021],
        ["B", 2017, 2019], ["B", 2018, 2020], ["B", 2019, 2021],
    ]  # fmt: skip
    assert out["events"].tolist() == [36, 42, 48, 3, 5, 7]
    assert out["pop"].tolist() == [3000, 3000, 3000, 1000, 1000, 1000]
    assert (out["n_years"] == 3).all()


def test_rate_from_sums_not_mean_of_rates():
    # The rule in use: B 2019-2021 has 7 events in 1000 person-years, so its rate
    # per 1,000 is 7 and its interval is that of 7 events (exact Poisson), whereas
    # the mean of its annual rates would be (0 + 6 + 8) / 3 = 4.67 per 1,000.
    row = rolling_period_sums(_example(), "year", ["events", "pop"], "area").iloc[-1]
    rate, lower, upper = crude_rate_ci(row["events"], row["pop"], multiplier=1000)
    assert float(rate) == 7.0
    assert (float(lower), float(upper)) == tuple(float(a) for a in crude_rate_ci(7, 1000, 1000)[1:])
    assert float(rate) != pytest.approx(np.mean([0 / 500, 3 / 500, 4 / 500]) * 1000)


def test_gap_years_missing_values_and_arguments():
    df = _example()
    # No 2019 anywhere: no period covers three consecutive years.
    gap = rolling_period_sums(df[df["year"] != 2019], "year", "events", "area")
    assert len(gap) == 0 and list(gap.columns) == ["area", "first_year", "last_year", "n_years", "events"]
    # Two-year periods, no groups; a missing value counts as zero.
    df.loc[0, "events"] = np.nan
    two = rolling_period_sums(df, "year", "events", n_years=2)
    # 2017+2018: (NaN->0) + 12 + 1 + 2 = 15; 2018+2019: 12 + 2 + 14 = 28;
    # 2019+2020: 14 + 16 + 3 = 33; 2020+2021: 16 + 18 + 3 + 4 = 41.
    assert two["events"].tolist() == [15, 28, 33, 41]
    assert two["first_year"].tolist() == [2017, 2018, 2019, 2020]
    with pytest.raises(ValueError):
        rolling_period_sums(df, "year", "events", n_years=0)
    with pytest.raises(KeyError):
        rolling_period_sums(df, "year", "deaths")
    with pytest.raises(ValueError, match="whole years"):
        rolling_period_sums(df.assign(year=df["year"] + 0.5), "year", "events")


def test_financial_years_label():
    assert financial_years_label(2019, 2021) == "2019/20 to 2021/22"
    assert financial_years_label(2021, 2021) == "2021/22"
    assert financial_years_label(1998, 2000) == "1998/99 to 2000/01"
    with pytest.raises(ValueError):
        financial_years_label(2021, 2019)


# ---------------------------------------------------------------------------
# The dbt macro


def _render(call: str) -> str:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    return env.from_string(MACROS.read_text() + "{{ " + call + " }}").render()


def _run_macro(df: pd.DataFrame, call: str) -> pd.DataFrame:
    con = duckdb.connect(":memory:")
    try:
        con.register("src", df)
        return con.execute(_render(call)).df()
    finally:
        con.close()


def _sorted(df: pd.DataFrame, keys: list) -> pd.DataFrame:
    return df.sort_values(keys).reset_index(drop=True)


def test_macro_equals_python_on_example():
    got = _run_macro(_example(), "rolling_three_years('src', 'year', ['events', 'pop'], ['area'])")
    expected = rolling_period_sums(_example(), "year", ["events", "pop"], "area")
    keys = ["area", "last_year"]
    pd.testing.assert_frame_equal(_sorted(got, keys), _sorted(expected, keys), check_dtype=False)


def test_macro_equals_python_on_random_data():
    rng = np.random.default_rng(3)
    idx = pd.MultiIndex.from_product([[f"S37{i:06d}" for i in range(31)], range(2012, 2023), ["<18", "18-64", "65+"]],
                                     names=["hscp", "financial_year", "age_group"])  # fmt: skip
    df = idx.to_frame(index=False).sample(frac=0.9, random_state=2)  # some group-years have no row
    df["numerator"] = pd.array(rng.poisson(30, len(df)), dtype="Int64")
    df.loc[rng.random(len(df)) < 0.03, "numerator"] = pd.NA
    df["denominator"] = rng.integers(1000, 50000, len(df))
    df = df[df["financial_year"] != 2016]  # a year missing from the data altogether
    call = "rolling_three_years('src', 'financial_year', ['numerator', 'denominator'], ['hscp', 'age_group'])"
    got = _run_macro(df, call)
    expected = rolling_period_sums(df, "financial_year", ["numerator", "denominator"], ["hscp", "age_group"])
    assert set(expected["last_year"]) == {2014, 2015, 2019, 2020, 2021, 2022}
    keys = ["hscp", "age_group", "last_year"]
    pd.testing.assert_frame_equal(_sorted(got, keys), _sorted(expected, keys), check_dtype=False)
    # Without group columns: one row per period.
    got = _run_macro(df, "rolling_period_sums('src', 'financial_year', ['numerator'], [], 4)")
    expected = rolling_period_sums(df, "financial_year", "numerator", n_years=4)
    assert got.sort_values("last_year")["numerator"].tolist() == expected["numerator"].tolist()
    assert expected["last_year"].tolist() == [2015, 2020, 2021, 2022]
