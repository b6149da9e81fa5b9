"""SQL functions for trends (transforms.udfs.trends): poisson_trend, binomial_trend and trend_direction.

Checked against the Python functions they call, on the same inputs, through
the list aggregation the models use (``list(x order by period_start)`` over an
area's periods), and against the [BERNOULLI] logistic trend of
tests/unit/stats/reference_values/trends.py (R's fitted values, cited there).
"""

from __future__ import annotations

import duckdb
import numpy as np
import pytest
from scipy.special import logit

from tests.unit.stats.reference_values.trends import BERNOULLI_R_PREDICTION, BERNOULLI_Y
from transforms.stats.trends import NO_EVENTS, SEPARATED, TOO_FEW, binomial_trend, poisson_trend, trend_direction

_DOUBLES = (
    "slope",
    "slope_se",
    "ratio",
    "ratio_lower",
    "ratio_upper",
    "p_value",
    "p_value_lr",
    "dispersion",
    "p_value_quasi",
)


@pytest.fixture()
def conn():
    from transforms.udfs import register

    con = register(duckdb.connect(":memory:"))
    yield con
    con.close()


def _as_sql(result) -> dict:
    """The SQL struct of a Python TrendResult: NaN -> NULL."""
    row = {f: None if np.isnan(getattr(result, f)) else getattr(result, f) for f in _DOUBLES}
    return {**row, "n_periods": result.n_periods, "reason": result.reason}


# Five periods per area, stored out of order so that the list's "order by" matters.
_ROWS = [
    # area, period_start, numerator, denominator
    ("S37000001", "2022-04-01", 1450, 100_000),
    ("S37000001", "2018-04-01", 1000, 100_000),
    ("S37000001", "2020-04-01", 1200, 99_000),
    ("S37000001", "2019-04-01", 1100, 101_000),
    ("S37000001", "2021-04-01", 1300, 100_500),
    ("S37000002", "2019-04-01", 52, 400),
    ("S37000002", "2018-04-01", 50, 410),
    ("S37000002", "2021-04-01", 47, 395),
    ("S37000002", "2020-04-01", 55, 405),
    ("S37000002", "2022-04-01", 49, 400),
    ("S37000003", "2021-04-01", 0, 300),
    ("S37000003", "2022-04-01", 0, 310),
    ("S37000003", "2020-04-01", 0, 290),
    ("S37000004", "2022-04-01", 3, 80),
    ("S37000004", "2021-04-01", None, 80),  # a suppressed count: left out, too few periods remain
    ("S37000004", "2020-04-01", 5, 0),
]


@pytest.fixture()
def periods(conn):
    conn.execute("create table periods (area varchar, period_start date, numerator double, denominator double)")
    conn.executemany("insert into periods values (?, ?, ?, ?)", _ROWS)
    return conn


def _series(area):
    rows = sorted(r for r in _ROWS if r[0] == area)
    years = [float(r[1][:4]) for r in rows]
    return [np.nan if r[2] is None else r[2] for r in rows], [r[3] for r in rows], years


# Each period's time in the SQL calls: the calendar year of its start, in list order.
_LISTS = (
    "list(numerator order by period_start), list(denominator order by period_start), "
    "list(year(period_start)::double order by period_start)"
)


@pytest.mark.parametrize(("sql_name", "python"), [("poisson_trend", poisson_trend), ("binomial_trend", binomial_trend)])
def test_trend_by_area_equals_python(periods, sql_name, python):
    got = periods.execute(f"select area, {sql_name}({_LISTS}) from periods group by area order by area").fetchall()
    assert [area for area, _ in got] == ["S37000001", "S37000002", "S37000003", "S37000004"]
    for area, struct in got:
        counts, denominators, years = _series(area)
        assert struct == _as_sql(python(counts, denominators, times=years))
    by_area = dict(got)
    assert by_area["S37000001"]["p_value"] < 1e-6 and by_area["S37000001"]["ratio_lower"] > 1
    assert by_area["S37000002"]["p_value"] > 0.05
    assert by_area["S37000003"]["reason"] == NO_EVENTS and by_area["S37000003"]["slope"] is None
    assert by_area["S37000004"] == {**dict.fromkeys(_DOUBLES), "n_periods": 1, "reason": TOO_FEW}


def test_trend_direction_of_the_trends(periods):
    got = periods.execute(
        f"""
        with trends as (
            select area, poisson_trend({_LISTS}) as trend
            from periods group by area
        )
        select area, trend_direction(trend.slope, trend.p_value, 'high is bad'),
               trend_direction(trend.slope, trend.p_value, 'no judgement')
        from trends order by area
        """
    ).fetchall()
    assert got == [
        ("S37000001", "getting worse", "increasing"),
        ("S37000002", "no significant change", "no significant change"),
        ("S37000003", "not assessed", "not assessed"),
        ("S37000004", "not assessed", "not assessed"),
    ]


def test_trend_direction_equals_python(conn):
    cases = [(0.1, 0.01, "high is bad"), (-0.1, 0.01, "high is bad"), (0.1, 0.01, "high is good"),
             (-0.1, 0.2, "high is good"), (-0.1, 0.001, "no judgement"), (None, None, "high is good")]  # fmt: skip
    for slope, p, polarity in cases:
        got = conn.execute("select trend_direction(?, ?, ?)", [slope, p, polarity]).fetchall()[0][0]
        expected = trend_direction(np.nan if slope is None else slope, np.nan if p is None else p, polarity)
        assert got == expected[()]
    assert conn.execute("select trend_direction(0.1, 0.01, NULL)").fetchall() == [(None,)]
    with pytest.raises(duckdb.Error, match="polarity"):
        conn.execute("select trend_direction(0.1, 0.01, 'lower is better')").fetchall()


def test_trends_at_times_equal_python_and_the_published_bernoulli_trend(conn):
    counts, denominators, times = [120.0, 150, 149, 170], [1e4, 1.03e4, 1.02e4, 1.04e4], [2018.0, 2020, 2021, 2022]
    got = conn.execute("select poisson_trend(?, ?, ?)", [counts, denominators, times]).fetchall()[0][0]
    assert got == _as_sql(poisson_trend(counts, denominators, times=times))
    x = np.linspace(0, 1, 50).tolist()
    got = conn.execute("select binomial_trend(?, ?, ?)", [BERNOULLI_Y, [1.0] * 50, x]).fetchall()[0][0]
    assert got == _as_sql(binomial_trend(BERNOULLI_Y, np.ones(50), times=x))
    r_slope = logit(BERNOULLI_R_PREDICTION[-1]) - logit(BERNOULLI_R_PREDICTION[0])
    assert got["slope"] == pytest.approx(r_slope, abs=1e-5)
    got = conn.execute(
        "select binomial_trend([0.0, 0, 4, 10, 10], [10.0, 10, 10, 10, 10], [0.0, 1, 2, 3, 4])"
    ).fetchall()[0][0]
    assert got["reason"] == SEPARATED and got["p_value"] is None


def test_trend_nulls_and_errors(conn):
    assert conn.execute("select poisson_trend(NULL, [1.0, 2, 3], [0.0, 1, 2])").fetchall() == [(None,)]
    assert conn.execute("select binomial_trend([1.0, 2, 3], [5.0, 5, 5], NULL)").fetchall() == [(None,)]
    with pytest.raises(duckdb.Error, match="greater than or equal to zero"):
        conn.execute("select poisson_trend([1.0, -2, 3], [10.0, 10, 10], [0.0, 1, 2])").fetchall()
    with pytest.raises(duckdb.Error, match="exceed"):
        conn.execute("select binomial_trend([1.0, 12, 3], [10.0, 10, 10], [0.0, 1, 2])").fetchall()
    with pytest.raises(duckdb.Error, match="one value per period"):
        conn.execute("select poisson_trend([1.0, 2, 3], [10.0, 10], [0.0, 1, 2])").fetchall()


def test_trend_in_a_window_equals_the_grouped_trend(periods):
    """Every row of an area gets its area's trend when the lists are window lists (each fitted once per batch)."""
    got = periods.execute(
        """
        select area, poisson_trend(list(numerator) over w, list(denominator) over w,
                                   list(year(period_start)::double) over w) as trend
        from periods
        window w as (partition by area order by period_start rows between unbounded preceding and unbounded following)
        """
    ).fetchall()
    grouped = dict(periods.execute(f"select area, poisson_trend({_LISTS}) from periods group by area").fetchall())
    assert len(got) == len(_ROWS)
    for area, trend in got:
        assert trend == grouped[area]
