"""SQL functions for age standardisation (transforms.udfs.standardised) and the esp2013 seed.

Every function is checked two ways: against the Python function it calls, on
the same inputs, and against published reference values reproduced through
SQL.  The reference values are the [PHE-DSR-ISR] tables of
tests/unit/stats/reference_values/standardised.py, cited there
(PHEindicatormethods tests/testthat/testdata_DSR_ISR.xlsx, sheets
"testdata_multiarea", "testdata_1976", "refdata", "testdata_err2",
"testresults_DSR", "testresults_ISR"), and [ESP-PHE]/[ESP-SCOTPHO] for the
ESP2013 weights, cited in tests/unit/stats/test_standardised.py.
"""

from __future__ import annotations

import csv

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml

from tests.unit.stats.reference_values.standardised import (
    COUNTS,
    DSR_1976_COUNTS,
    DSR_1976_POP,
    ERR2_AREA1_POP,
    ESP1976,
    ISR_EXPECTED,
    ISR_REF_RATE,
    PHE_DSR,
    PHE_ISR,
    POP,
    REF_COUNTS,
    REF_POPS,
)
from transforms.config import REPO_ROOT
from transforms.stats.constants import (
    ESP2013_BANDS,
    ESP2013_LOWER_AGES,
    ESP2013_WEIGHTS,
    esp2013_band,
    esp2013_band_index,
)
from transforms.stats.standardised import (
    REASON_LOW_COUNT,
    REASON_ZERO_POPULATION,
    dsr,
    dsr_details,
    expected_count,
    isr,
)

SEEDS = REPO_ROOT / "dbt_project" / "seeds"
RTOL = 1e-10


@pytest.fixture()
def conn():
    from transforms.udfs import register

    con = register(duckdb.connect(":memory:"))
    yield con
    con.close()


def _multiarea(con) -> None:
    """[PHE-DSR-ISR] "testdata_multiarea" as a long table (area, lower_age, count, pop)."""
    rows = []
    for area, counts in COUNTS.items():
        for lower, c, p in zip(ESP2013_LOWER_AGES.tolist(), counts, POP):
            rows.append({"area": area, "lower_age": lower, "count": c, "pop": float(p)})
    df = pd.DataFrame(rows).astype({"count": "Float64"})  # the NA band stays NULL in DuckDB
    con.register("multiarea", df)


# ---------------------------------------------------------------------------
# ESP2013: the seed and the SQL functions


def test_esp2013_seed_equals_the_constant():
    with open(SEEDS / "esp2013.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["age_band"] for r in rows] == list(ESP2013_BANDS)
    assert [int(r["age_band_index"]) for r in rows] == list(range(19))
    assert [int(r["lower_age"]) for r in rows] == ESP2013_LOWER_AGES.tolist()
    assert [int(r["upper_age"]) for r in rows] == [*(ESP2013_LOWER_AGES[:-1] + 4).tolist(), 200]
    assert [float(r["standard_population"]) for r in rows] == ESP2013_WEIGHTS.tolist()
    # Every age of a band maps to that band (the seed's ranges agree with esp2013_band_index).
    for i, r in enumerate(rows):
        ages = np.arange(int(r["lower_age"]), int(r["upper_age"]) + 1)
        assert (esp2013_band_index(ages) == i).all()
    # The seed is documented, with its column types pinned (a label such as '5-9' must stay text).
    spec = {s["name"]: s for s in yaml.safe_load((SEEDS / "_seeds.yml").read_text())["seeds"]}
    assert spec["esp2013"]["config"]["column_types"]["age_band"] == "varchar"
    assert {c["name"] for c in spec["esp2013"]["columns"]} == set(rows[0])


def test_esp2013_udfs_equal_python(conn):
    ages = [*range(0, 121), 4.5, 89.99, None]
    df = pd.DataFrame({"age": pd.array(ages, dtype="Float64")})
    conn.register("ages", df)
    got = conn.execute("select esp2013_weight(age), esp2013_band(age) from ages").fetchall()
    known = np.array([a for a in ages if a is not None], dtype=float)
    expected_w = ESP2013_WEIGHTS[esp2013_band_index(known)].tolist() + [None]
    expected_b = esp2013_band(known).tolist() + [None]
    assert [g[0] for g in got] == expected_w
    assert [g[1] for g in got] == expected_b
    # [ESP-PHE]: the 19 weights in band order and their total of 100,000.
    weights = conn.execute(
        "select list(esp2013_weight(a) order by a), sum(esp2013_weight(a)) from range(0, 95, 5) t(a)"
    ).fetchall()[0]
    assert weights == (ESP2013_WEIGHTS.tolist(), 100000.0)
    with pytest.raises(duckdb.Error, match="greater than or equal to zero"):
        conn.execute("select esp2013_weight(-1)").fetchall()


# ---------------------------------------------------------------------------
# dsr


DSR_SQL = """
    select area, dsr(list(count order by lower_age), list(pop order by lower_age),
                     list(esp2013_weight(lower_age) order by lower_age), ?, ?) as r
    from multiarea group by area order by area
"""


@pytest.mark.parametrize("multiplier", [10000, 100000])
def test_dsr_udf_reproduces_phe_testresults(conn, multiplier):
    _multiarea(conn)
    for conf, (i_lo, i_hi) in ((0.95, (4, 5)), (0.998, (6, 7))):
        got = {a: r for a, r in conn.execute(DSR_SQL, [multiplier, conf]).fetchall()}
        for row in PHE_DSR[multiplier]:
            area, total_count, total_pop, value = row[:4]
            r = got[area]
            assert r["total_count"] == total_count and r["total_population"] == total_pop
            if value is None:  # testdata_tiny: 9 events (the NULL band counts as 0), not published
                assert r["value"] is None and r["lower"] is None and r["upper"] is None
                assert r["reason"] == REASON_LOW_COUNT
            else:
                np.testing.assert_allclose([r["value"], r["lower"], r["upper"]], [value, row[i_lo], row[i_hi]],
                                           rtol=RTOL)  # fmt: skip
                assert r["reason"] is None


def test_dsr_udf_with_user_standard_and_mixed_standards(conn):
    # [PHE-DSR-ISR] "testdata_1976" with the 18-band 1976 ESP ("testresults_DSR" row 9),
    # in the same query as an ESP2013 row: rows are grouped by their standard.
    got = conn.execute(
        "select dsr(?, ?, ?, 100000, 0.95), dsr(?, ?, ?, 100000, 0.95)",
        [DSR_1976_COUNTS, DSR_1976_POP, ESP1976, COUNTS["testdata_big"], POP, ESP2013_WEIGHTS.tolist()],
    ).fetchall()[0]
    np.testing.assert_allclose([got[0]["value"], got[0]["lower"], got[0]["upper"]],
                               [8592.097585022366, 7991.160931442103, 9225.253880318318], rtol=RTOL)  # fmt: skip
    assert got[0]["total_count"] == 804 and got[0]["total_population"] == 8763
    assert got[1]["value"] == pytest.approx(10430.247991469423, rel=RTOL)  # "testresults_DSR" D6
    # Both in one column (one batch, two standards).
    conn.execute("create table t as select * from (values (1, ?::double[], ?::double[], ?::double[]), "
                 "(2, ?::double[], ?::double[], ?::double[])) v(i, x, n, w)",
                 [DSR_1976_COUNTS, DSR_1976_POP, ESP1976, COUNTS["testdata_big"], POP, ESP2013_WEIGHTS.tolist()])  # fmt: skip
    values = [r[0] for r in conn.execute("select dsr(x, n, w, 100000, 0.95).value from t order by i").fetchall()]
    np.testing.assert_allclose(values, [8592.097585022366, 10430.247991469423], rtol=RTOL)


def test_dsr_udf_equals_python_on_random_groups(conn):
    rng = np.random.default_rng(20240611)
    n_groups = 300
    pop = rng.integers(50, 5000, (n_groups, 19)).astype(float)
    counts = rng.poisson(pop * rng.uniform(0, 0.004, (n_groups, 19))).astype(float)
    counts[rng.random(counts.shape) < 0.05] = np.nan  # absent counts from a left join
    counts[:10] = 0  # zero events
    counts[10:15, :18] = 0  # 0 to a few events in the last band: around the threshold
    counts[10:15, 18] = [0, 5, 9, 10, 11]
    pop[20:25, 3] = 0  # a zero population in a band
    conf = np.where(np.arange(n_groups) % 2 == 0, 0.95, 0.998)
    mult = np.where(np.arange(n_groups) % 3 == 0, 1000.0, 100000.0)
    df = pd.DataFrame({
        "g": np.repeat(np.arange(n_groups), 19),
        "band": np.tile(np.arange(19), n_groups),
        "count": pd.array(counts.ravel(), dtype="Float64"),
        "pop": pop.ravel(),
        "conf": np.repeat(conf, 19),
        "mult": np.repeat(mult, 19),
    }).sample(frac=1.0, random_state=3)  # row order must not matter
    conn.register("groups", df)
    got = conn.execute("""
        select g, dsr(list(count order by band), list(pop order by band),
                      list(esp2013_weight(band * 5) order by band), any_value(mult), any_value(conf)) as r
        from groups group by g order by g
    """).fetchall()
    assert len(got) == n_groups
    for g, r in got:
        exp = dsr_details(counts[g], pop[g], ESP2013_WEIGHTS, multiplier=mult[g], conf_level=conf[g])
        for field, key in (("value", "value"), ("lower", "lower"), ("upper", "upper"),
                           ("total_count", "total_count"), ("total_population", "total_pop")):  # fmt: skip
            e = float(exp[key])
            assert (r[field] is None) if np.isnan(e) else r[field] == pytest.approx(e, rel=1e-13)
        assert r["reason"] == exp["reason"].item()
        # ... and dsr itself, the function the docs name.
        v, lo, hi = dsr(counts[g], pop[g], ESP2013_WEIGHTS, multiplier=mult[g], conf_level=conf[g])
        assert (r["value"] is None) == bool(np.isnan(v))
    reasons = [r["reason"] for _, r in got]
    assert reasons[:10] == [REASON_LOW_COUNT] * 10
    assert reasons[10:15] == [REASON_LOW_COUNT] * 3 + [None, None]  # published from 10 events
    assert reasons[20:25] == [REASON_ZERO_POPULATION] * 5


def test_dsr_udf_nulls_and_errors(conn):
    x, n, w = COUNTS["testdata_big"], POP, ESP2013_WEIGHTS.tolist()
    q = "select dsr(?::double[], ?::double[], ?::double[], ?, ?)"
    # A NULL argument gives a NULL struct.
    for args in ([None, n, w, 1e5, 0.95], [x, None, w, 1e5, 0.95], [x, n, None, 1e5, 0.95],
                 [x, n, w, None, 0.95], [x, n, w, 1e5, None]):  # fmt: skip
        assert conn.execute(q, args).fetchall()[0][0] is None
    # A NULL count element is zero events (PHE na.zero), as in Python.
    with_null = list(x)
    with_null[0] = None
    zeroed = [0, *x[1:]]
    got = conn.execute(q, [with_null, n, w, 1e5, 0.95]).fetchall()
    assert got == conn.execute(q, [zeroed, n, w, 1e5, 0.95]).fetchall()
    # Zero events everywhere: suppressed, totals still reported.
    r = conn.execute(q, [[0] * 19, n, w, 1e5, 0.95]).fetchall()[0][0]
    assert r == {"value": None, "lower": None, "upper": None, "total_count": 0.0, "total_population": 8970.0,
                 "reason": REASON_LOW_COUNT}  # fmt: skip
    # Errors, as dsr raises them: a missing band, an empty list, a NULL population, a negative count.
    for args, message in (
        ([x[:18], n[:18], w, 1e5, 0.95], "one value per band"),
        ([[], [], w, 1e5, 0.95], "one value per band"),
        ([[], [], [], 1e5, 0.95], "non-empty"),
        ([x, [None, *n[1:]], w, 1e5, 0.95], "missing values"),
        ([[-1, *x[1:]], n, w, 1e5, 0.95], "greater than or equal to zero"),
        ([x, n, w, 1e5, 1.5], "conf_level"),
    ):
        with pytest.raises(duckdb.Error, match=message):
            conn.execute(q, args).fetchall()


# ---------------------------------------------------------------------------
# isr_expected and isr


def test_isr_expected_reproduces_phe_and_equals_python(conn):
    # [PHE-DSR-ISR] expected 835.8835612311743 ("testresults_ISR" C2) and, with the
    # 5-9 population 0 ("testdata_err2" Area1), 808.3217400918253.
    got = conn.execute("select isr_expected(?, ?, ?), isr_expected(?, ?, ?)",
                       [POP, REF_COUNTS, REF_POPS, ERR2_AREA1_POP, REF_COUNTS, REF_POPS]).fetchall()[0]  # fmt: skip
    assert got[0] == pytest.approx(ISR_EXPECTED, rel=RTOL)
    assert got[1] == pytest.approx(808.3217400918253, rel=RTOL)
    assert got == (expected_count(POP, REF_COUNTS, REF_POPS), expected_count(ERR2_AREA1_POP, REF_COUNTS, REF_POPS))
    # Built from a long table with list(... order by band).
    _multiarea(conn)
    conn.register("ref", pd.DataFrame({"lower_age": ESP2013_LOWER_AGES, "x": REF_COUNTS, "n": REF_POPS}))
    rows = conn.execute("""
        select area, isr_expected(list(pop order by lower_age), list(x order by lower_age), list(n order by lower_age))
        from multiarea join ref using (lower_age) group by area
    """).fetchall()
    assert len(rows) == 3 and all(e == pytest.approx(ISR_EXPECTED, rel=RTOL) for _, e in rows)
    # A NULL reference count counts as 0 (PHE "test ref as specified vector"); NULL list -> NULL.
    ref_na = [REF_COUNTS[0], REF_COUNTS[1], None, *REF_COUNTS[3:]]  # REF_COUNTS[2] is 0
    q = "select isr_expected(?::double[], ?::double[], ?::double[])"
    assert conn.execute(q, [POP, ref_na, REF_POPS]).fetchall()[0][0] == pytest.approx(ISR_EXPECTED, rel=RTOL)
    assert conn.execute(q, [None, REF_COUNTS, REF_POPS]).fetchall()[0][0] is None
    assert conn.execute(q, [[0] * 19, REF_COUNTS, REF_POPS]).fetchall()[0][0] == 0  # zero population
    for args, message in (([POP, REF_COUNTS, [0, *REF_POPS[1:]]], "greater than zero"),
                          ([POP[:18], REF_COUNTS, REF_POPS], "one value per band"),
                          ([[], [], []], "at least one band")):  # fmt: skip
        with pytest.raises(duckdb.Error, match=message):
            conn.execute(q, args).fetchall()


@pytest.mark.parametrize("area", list(PHE_ISR))
def test_isr_udf_reproduces_phe(conn, area):
    ref = PHE_ISR[area]
    o = ref["observed"]
    for conf, (i_lo, i_hi) in ((0.95, (1, 2)), (0.998, (3, 4))):
        for refvalue in (1, 100):
            r = conn.execute("select isr(?, ?, ?, ?)", [o, ISR_EXPECTED, refvalue, conf]).fetchall()[0][0]
            exp = ref[("ratio", refvalue)]
            np.testing.assert_allclose([r["value"], r["lower"], r["upper"]], [exp[0], exp[i_lo], exp[i_hi]], rtol=RTOL)
            assert [r["value"], r["lower"], r["upper"]] == [float(a) for a in isr(o, ISR_EXPECTED, conf, refvalue)]
        for mult in (100000, 1000):  # the rate: refvalue = the reference rate
            r = conn.execute("select isr(?, ?, ?, ?)", [o, ISR_EXPECTED, ISR_REF_RATE[mult], conf]).fetchall()[0][0]
            exp = ref[("rate", mult)]
            np.testing.assert_allclose([r["value"], r["lower"], r["upper"]], [exp[0], exp[i_lo], exp[i_hi]], rtol=RTOL)


def test_isr_udf_edge_cases(conn):
    rows = conn.execute("""
        select isr(o, e, 100, c) from (values
            (1, 0.0, 2.0, 0.95), (2, 5.0, 0.0, 0.95), (3, NULL, 2.0, 0.95), (4, 5.0, NULL, 0.95),
            (5, 5.0, 2.0, NULL), (6, 9.0, 3.0, 0.998)) v(i, o, e, c) order by i
    """).fetchall()
    r = [row[0] for row in rows]
    # Zero events: ratio 0, lower 0, upper = the exact upper count limit / E, as isr gives.
    _, _, hi = isr(0, 2.0, 0.95, 100)
    assert r[0] == {"value": 0.0, "lower": 0.0, "upper": float(hi)}
    assert r[1] == {"value": None, "lower": None, "upper": None}  # expected 0: no ratio
    assert r[2] is None and r[3] is None and r[4] is None  # NULL in, NULL out
    assert [r[5]["value"], r[5]["lower"], r[5]["upper"]] == [float(a) for a in isr(9, 3.0, 0.998, 100)]
    with pytest.raises(duckdb.Error, match="greater than or equal to zero"):
        conn.execute("select isr(-1, 3, 1, 0.95)").fetchall()
    with pytest.raises(duckdb.Error, match="expected counts"):
        conn.execute("select isr(1, -3, 1, 0.95)").fetchall()
