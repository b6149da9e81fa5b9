"""SQL functions for funnel plots (transforms.udfs.funnels).

Checked against the Python functions they call, on the same inputs, and
against the published PHEindicatormethods funnel outputs [PHE-FUN] of
tests/unit/stats/reference_values/funnels.py (cited there, shared with
tests/unit/stats/test_funnels.py):
testdata_funnel_prop_outputs.csv, testdata_funnel_rate_outputs.csv and the
significance columns of testdata_funnel_rate_dsr_inputs.csv.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from tests.unit.stats.reference_values.funnels import (
    PROP_AXIS_BASELINE,
    PROP_AXIS_LIMITS,
    PROP_BASELINE,
    PROP_LIMITS,
    RATE_DSR_BASELINE,
    RATE_DSR_POINTS,
    RATE_SIG,
    SIG_COUNT,
    SIG_LABELS,
    SIG_POP,
)
from transforms.stats.funnels import (
    PHE_LABELS,
    classify_against_limits,
    funnel_benchmark,
    proportion_funnel_limits,
    rate_funnel_limits,
)


@pytest.fixture()
def conn():
    from transforms.udfs import register

    con = register(duckdb.connect(":memory:"))
    yield con
    con.close()


def _limits(rows):
    return [(None, None) if r is None else (r["lower"], r["upper"]) for r in rows]


# ---------------------------------------------------------------------------
# Proportions


@pytest.mark.parametrize("table, baseline, atol", [(PROP_LIMITS, PROP_BASELINE, 2e-6),
                                                   (PROP_AXIS_LIMITS, PROP_AXIS_BASELINE, 5e-8)])  # fmt: skip
def test_proportion_limits_reproduce_phe(conn, table, baseline, atol):
    # Tolerances as in test_funnels.py: the CSVs are rounded to 8 significant figures.
    conn.register("pops", pd.DataFrame({"n": [float(r[0]) for r in table]}))
    for conf, (c_lo, c_hi) in ((0.95, (1, 2)), (0.998, (3, 4))):
        rows = conn.execute("select funnel_proportion_limits(n, ?, 100, ?) from pops", [baseline, conf]).fetchall()
        got = np.array(_limits([r[0] for r in rows]))
        np.testing.assert_allclose(got[:, 0], [r[c_lo] for r in table], rtol=0, atol=atol)
        np.testing.assert_allclose(got[:, 1], [r[c_hi] for r in table], rtol=0, atol=atol)


def test_proportion_limits_equal_python_and_edge_cases(conn):
    den = [1.0, 5, 37, 100, 2500, 1e6, 0.0, -3.0, None, 50.0, 50.0]
    bench = [80.64, 2.0, 50.0, 97.0, 30.0, 0.5, 50.0, 50.0, 50.0, None, 0.0]
    conf = [0.95, 0.998] * 5 + [0.95]
    df = pd.DataFrame({"n": pd.array(den, dtype="Float64"), "b": pd.array(bench, dtype="Float64"), "c": conf})
    conn.register("t", df)
    got = _limits([r[0] for r in conn.execute("select funnel_proportion_limits(n, b, 100, c) from t").fetchall()])
    for (lo, hi), n, b, c in zip(got, den, bench, conf, strict=False):
        if n is None or b is None:
            assert (lo, hi) == (None, None)  # the struct itself is NULL
            continue
        elo, ehi = proportion_funnel_limits(n, b, c, 100)
        if np.isnan(elo):  # zero or negative denominator: no limits
            assert (lo, hi) == (None, None)
        else:
            assert (lo, hi) == (float(elo), float(ehi))
    rows = conn.execute(
        "select funnel_proportion_limits(0, 50, 100, 0.95), funnel_proportion_limits(10, 50, 100, NULL)"
    ).fetchall()
    assert rows[0][0] == {"lower": None, "upper": None} and rows[0][1] is None
    assert got[-1] == (0.0, 0.0)  # benchmark 0%: limits collapse to 0
    with pytest.raises(duckdb.Error, match="between 0 and multiplier"):
        conn.execute("select funnel_proportion_limits(100, 120, 100, 0.95)").fetchall()


# ---------------------------------------------------------------------------
# Rates


def test_rate_limits_reproduce_phe(conn):
    # [PHE-FUN] testdata_funnel_rate_outputs.csv: at the package's populations
    # (per year x 3 years of data) the limits are the package's limits, to its
    # bisection accuracy (rel 1e-4, as in test_funnels.py).
    rows = []
    for row in RATE_DSR_POINTS:
        for conf, cols in ((0.95, (1, 2, 3, 4)), (0.998, (5, 6, 7, 8))):
            rows.append({"n": row[cols[0]] * 3, "conf": conf, "side": "lower", "expected": row[cols[1]]})
            rows.append({"n": row[cols[2]] * 3, "conf": conf, "side": "upper", "expected": row[cols[3]]})
    df = pd.DataFrame(rows)
    conn.register("points", df)
    got = conn.execute(
        "select funnel_rate_limits(n, ?, 100000, conf, 'exact') from points", [RATE_DSR_BASELINE]
    ).fetchall()
    for (r,), want in zip(got, df.itertuples(index=False), strict=False):
        assert r[want.side] == pytest.approx(want.expected, rel=1e-4)


def test_rate_limits_equal_python_for_every_method_and_level(conn):
    den = np.array([50.0, 1e3, 4e3, 1e5, 1e7, 123.4])
    rows = [(n, c, m) for m in ("exact", "byar", "mixed") for c in (0.95, 0.998) for n in den]
    df = pd.DataFrame(rows, columns=["n", "conf", "method"]).sample(frac=1.0, random_state=1)
    conn.register("t", df)
    got = conn.execute("select n, conf, method, funnel_rate_limits(n, 0.01, 1, conf, method) from t").fetchall()
    assert len(got) == len(rows)
    for n, conf, method, r in got:
        lo, hi = rate_funnel_limits(n, 0.01, conf, 1, method=method)
        assert (r["lower"], r["upper"]) == (float(lo), float(hi))


def test_rate_limits_edge_cases(conn):
    got = conn.execute("""
        select funnel_rate_limits(n, b, 1000, c, m) from (values
            (1, 0.0, 5.0, 0.95, 'exact'), (2, NULL, 5.0, 0.95, 'exact'), (3, 100.0, 0.0, 0.95, 'exact'),
            (4, 100.0, NULL, 0.95, 'exact'), (5, 100.0, 5.0, NULL, 'exact'), (6, 100.0, 5.0, 0.95, NULL),
            (7, -10.0, 5.0, 0.95, 'byar')) v(i, n, b, c, m) order by i
    """).fetchall()
    r = [g[0] for g in got]
    assert r[0] == {"lower": None, "upper": None}  # zero denominator: no limits
    assert r[1] is None and r[3] is None and r[4] is None and r[5] is None  # NULL in, NULL out
    assert r[2] == {"lower": 0.0, "upper": 0.0}  # zero benchmark: degenerate limits, as in Python
    assert r[6] == {"lower": None, "upper": None}
    with pytest.raises(duckdb.Error, match="method must be one of"):
        conn.execute("select funnel_rate_limits(100, 5, 1000, 0.95, 'wald')").fetchall()
    with pytest.raises(duckdb.Error, match="greater than or equal to zero"):
        conn.execute("select funnel_rate_limits(100, -5, 1000, 0.95, 'exact')").fetchall()


# ---------------------------------------------------------------------------
# Classification


def test_classify_udf_cases_and_nulls(conn):
    values = [15.0, 14.0, 13.0, 12.0, 10.0, 8.0, 7.0, 6.0, 5.0, None]
    conn.register("v", pd.DataFrame({"x": pd.array(values, dtype="Float64")}))
    got = [r[0] for r in conn.execute("select classify_against_limits(x, 8, 12, 6, 14) from v").fetchall()]
    assert got == classify_against_limits(np.array(values, dtype=float), 8, 12, 6, 14).tolist()
    assert got[0] == "above 99.8%" and got[1] == "above 95%" and got[3] == "within" and got[-1] is None
    assert conn.execute("select classify_against_limits(10, NULL, 12, 6, 14)").fetchall() == [(None,)]


def test_crude_rate_significance_through_sql_reproduces_phe(conn):
    # [PHE-FUN] testdata_funnel_rate_dsr_inputs.csv, column crude_per_100000_with_0:
    # assign_funnel_significance(count, pop, ..., statistic = "rate", rate_type =
    # "crude", multiplier = 1e5).  In SQL: the limits by the package's count rule
    # (exact below 10, Byar's from 10: method 'mixed') at each area's population,
    # then classify_against_limits.  The crude rate per 100,000 and the pooled
    # benchmark are the test's inputs (funnel_benchmark).
    bench = funnel_benchmark(SIG_COUNT, SIG_POP, 1e5)
    conn.register("areas", pd.DataFrame({"i": range(len(SIG_COUNT)), "o": SIG_COUNT, "n": SIG_POP}))
    got = conn.execute(
        """
        with limits as (
            select i, o / n * 100000 as rate,
                   funnel_rate_limits(n, $bench, 100000, 0.95, 'mixed') as l95,
                   funnel_rate_limits(n, $bench, 100000, 0.998, 'mixed') as l998
            from areas
        )
        select classify_against_limits(rate, l95.lower, l95.upper, l998.lower, l998.upper)
        from limits order by i
    """,
        {"bench": bench},
    ).fetchall()
    assert [PHE_LABELS[g[0]] for g in got] == [SIG_LABELS[r[6]] for r in RATE_SIG]
