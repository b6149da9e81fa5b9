"""SQL functions for Fingertips quantiles (transforms.udfs.quantiles).

Checked against transforms.stats.quantiles.assign_quantiles on the same inputs
and against the published expected quantiles [PHE-Q] (PHEindicatormethods
testdata_Quantiles.xlsx) of tests/unit/stats/reference_values/quantiles.py,
cited there and shared with tests/unit/stats/test_quantiles.py, ranked in SQL
with window lists.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from tests.unit.stats.reference_values.quantiles import DUPS, REGIONS, SEPTILE_EXPECTED, SEPTILE_VALUES
from transforms.stats.quantiles import assign_quantiles


@pytest.fixture()
def conn():
    from transforms.udfs import register

    con = register(duckdb.connect(":memory:"))
    yield con
    con.close()


def _frame(rows, columns) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=columns)
    df["value"] = pd.array(df["value"], dtype="Float64")
    df["i"] = range(len(df))
    return df


def test_deciles_with_ties_and_invert_field_reproduce_phe(conn):
    # [PHE-Q] "GooddataDups": ties, deciles within region, invert TRUE for Region1, FALSE for Region2.
    conn.register("t", _frame(DUPS, ["region", "invert", "value", "expected"]))
    got = conn.execute("""
        select fingertips_quantile(value, list(value) over (partition by region), 10, invert), expected
        from t order by i
    """).fetchall()
    assert [g[0] for g in got] == [g[1] for g in got]


def test_deciles_within_regions_reproduce_phe(conn):
    # [PHE-Q] "Gooddata" 40501Female: a region with 9 areas gets no deciles, an area without a value none.
    conn.register("t", _frame(REGIONS, ["region", "area", "value", "expected"]))
    got = conn.execute("""
        select fingertips_quantile(value, list(value) over (partition by region), 10, true), expected
        from t order by i
    """).fetchall()
    assert [g[0] for g in got] == [None if pd.isna(g[1]) else int(g[1]) for g in got]
    assert sum(g[0] is None for g in got) == 10


def test_septiles_ungrouped_reproduce_phe(conn):
    # [PHE-Q] "Gooddata" 90366Female: septiles over all 152 areas, invert FALSE.
    conn.register("t", _frame([(v,) for v in SEPTILE_VALUES], ["value"]))
    got = conn.execute("select fingertips_quantile(value, list(value) over (), 7, false) from t order by i").fetchall()
    assert [g[0] for g in got] == SEPTILE_EXPECTED


def test_quintiles_equal_python_on_hscps_by_indicator_and_period(conn):
    # 31 HSCPs x 6 indicators x 4 periods, rounded values (ties) and some missing.
    rng = np.random.default_rng(31)
    idx = pd.MultiIndex.from_product([range(6), range(4), [f"S37{i:06d}" for i in range(31)]],
                                     names=["indicator", "period", "hscp"])  # fmt: skip
    df = idx.to_frame(index=False)
    values = np.round(rng.normal(100, 15, len(df)), 0)
    values[rng.random(len(df)) < 0.05] = np.nan
    df["value"] = pd.array(values, dtype="Float64")
    df["low_is_good"] = df["indicator"] % 2 == 0
    df["i"] = range(len(df))
    conn.register("t", df)
    got = conn.execute("""
        select fingertips_quintile(value, list(value) over (partition by indicator, period), low_is_good)
        from t order by i
    """).fetchall()
    expected = assign_quantiles(df, "value", nquantiles=5, group_cols=["indicator", "period"], invert="low_is_good")
    assert [g[0] for g in got] == [None if pd.isna(x) else int(x) for x in expected]
    assert {g[0] for g in got} == {1, 2, 3, 4, 5, None}


def test_quantile_udf_edge_cases(conn):
    q = "select fingertips_quantile(?::double, ?::double[], ?::integer, ?::boolean)"
    one = lambda *args: conn.execute(q, list(args)).fetchall()[0][0]  # noqa: E731
    # NULL in, NULL out.
    assert one(None, [1, 2, 3, 4, 5], 5, True) is None
    assert one(3, None, 5, True) is None
    assert one(3, [1, 2, 3, 4, 5], None, True) is None
    assert one(3, [1, 2, 3, 4, 5], 5, None) is None
    # Fewer values than quantiles (NULLs are not counted): no quantile.
    assert one(3, [1, 2, 3, None, None], 5, True) is None
    # All tied: every area has rank 1 -> quantile 1 (as assign_quantiles).
    assert one(7, [7, 7, 7, 7, 7, 7], 5, True) == 1
    # Polarity: the highest value is quantile 1 when inverted, 5 otherwise.
    assert one(5, [1, 2, 3, 4, 5], 5, True) == 1 and one(5, [1, 2, 3, 4, 5], 5, False) == 5
    # An empty list, or a value that is not in the list, is an error.
    with pytest.raises(duckdb.Error, match="not one of all_values"):
        one(3, [], 5, True)
    with pytest.raises(duckdb.Error, match="not one of all_values"):
        one(6, [1, 2, 3, 4, 5], 5, True)
    with pytest.raises(duckdb.Error, match="nquantiles must be a positive integer"):
        one(3, [1, 2, 3, 4, 5], 0, True)
    assert conn.execute("select typeof(fingertips_quintile(1, [1.0], true))").fetchall() == [("INTEGER",)]
