"""SQL functions of the comparisons (transforms.udfs.compare) give what the Python functions give on the same rows."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from transforms.stats.compare import best_quartile, improvement_opportunity, verdict
from transforms.udfs import register


@pytest.fixture()
def conn():
    return register(duckdb.connect())


ROWS = [
    # lower, upper, benchmark, polarity, numerator, denominator, value, multiplier, method
    (11.0, 12.0, 10.0, "high is bad", 115.0, 10_000.0, 11.5, 1000.0, "crude rate"),
    (8.0, 9.0, 10.0, "high is good", 85.0, 100.0, 85.0, 100.0, "percentage"),
    (9.0, 11.0, 10.0, "no judgement", 10.0, 100.0, 10.0, 100.0, "percentage"),
    (None, None, 10.0, "high is bad", None, 10_000.0, None, 1000.0, "crude rate"),
    (11.0, 13.0, 10.0, "high is bad", 480.0, None, 12_000.0, 100_000.0, "directly age-standardised rate"),
]


def test_polarity_verdict_and_opportunity_equal_the_python_functions(conn):
    conn.execute(
        "create table t (lower double, upper double, benchmark double, polarity varchar, numerator double, "
        "denominator double, value double, multiplier double, method varchar)"
    )
    conn.executemany("insert into t values (?, ?, ?, ?, ?, ?, ?, ?, ?)", ROWS)
    got = conn.execute(
        "select polarity_verdict(lower, upper, benchmark, polarity), "
        "improvement_opportunity(numerator, denominator, value, benchmark, multiplier, method, polarity) from t"
    ).fetchall()
    columns = list(zip(*ROWS, strict=True))
    as_float = [np.array([np.nan if x is None else x for x in c], dtype=float) for c in columns[:3] + columns[4:8]]
    lower, upper, benchmark, numerator, denominator, value, multiplier = as_float
    expected_verdicts = verdict(lower, upper, benchmark, list(columns[3])).tolist()
    expected = improvement_opportunity(
        numerator, denominator, value, benchmark, multiplier, list(columns[8]), list(columns[3])
    )
    assert [g[0] for g in got] == expected_verdicts == ["worse", "worse", "similar", "not compared", "worse"]
    opportunities = np.array([np.nan if g[1] is None else g[1] for g in got])
    np.testing.assert_allclose(opportunities, expected, equal_nan=True)
    assert opportunities[0] == pytest.approx(15.0)  # 115 - 10/1000 * 10,000
    assert opportunities[1] == 0.0  # high is good: 85 seen is already above 10% of 100


def test_best_quartile_over_a_window_list(conn):
    got = conn.execute(
        "select p, best_quartile(list(v) over (), p) from (values (4.0, 'high is bad'), (1.0, 'high is good'), "
        "(3.0, 'no judgement'), (2.0, null), (null, 'high is bad')) as t (v, p) order by v nulls last"
    ).fetchall()
    values = [4.0, 1.0, 3.0, 2.0, np.nan]
    by_polarity = {p: q for p, q in got}
    assert by_polarity["high is bad"] == pytest.approx(best_quartile(values, "high is bad")) == pytest.approx(1.75)
    assert by_polarity["high is good"] == pytest.approx(best_quartile(values, "high is good")) == pytest.approx(3.25)
    assert by_polarity["no judgement"] is None and by_polarity[None] is None
    assert len(got) == 5 and [p for p, _ in got].count("high is bad") == 2
