"""The DSR SQL function (transforms.udfs.standardised) and the esp2013 seed.

The function is checked two ways: against the Python function it calls, on
the same inputs, and against published reference values reproduced through
SQL.  The reference values are the tables of
tests/unit/stats/reference_values/standardised.py, cited there: [PHE-DSR-ISR] PHEindicatormethods
tests/testthat/testdata_DSR_ISR.xlsx (sheets "testdata_multiarea",
"testdata_1976" and "testresults_DSR"); the seed is checked against the
ESP2013 constants, [ESP-PHE], and the age bands of [ESP-SCOTPHO].
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
    ESP1976,
    PHE_DSR,
    POP,
)
from transforms.config import REPO_ROOT
from transforms.stats.constants import ESP2013_BANDS, ESP2013_LOWER_AGES, ESP2013_WEIGHTS
from transforms.stats.standardised import REASON_LOW_COUNT, REASON_ZERO_POPULATION, dsr_details

SEEDS = REPO_ROOT / "dbt_project" / "seeds"
RTOL = 1e-10


@pytest.fixture()
def conn():
    from transforms.udfs import register

    con = register(duckdb.connect(":memory:"))
    yield con
    con.close()


def _multiarea(con) -> None:
    """[PHE-DSR-ISR] "testdata_multiarea" as a long table (area, lower_age, count, pop, standard)."""
    rows = []
    for area, counts in COUNTS.items():
        for lower, c, p, w in zip(ESP2013_LOWER_AGES.tolist(), counts, POP, ESP2013_WEIGHTS.tolist(), strict=False):
            rows.append({"area": area, "lower_age": lower, "count": c, "pop": float(p), "standard": w})
    df = pd.DataFrame(rows).astype({"count": "Float64"})  # the NA band stays NULL in DuckDB
    con.register("multiarea", df)


# ---------------------------------------------------------------------------
# ESP2013: the seed


def test_esp2013_seed_equals_the_constant():
    with open(SEEDS / "esp2013.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["age_band"] for r in rows] == list(ESP2013_BANDS)
    assert [int(r["age_band_index"]) for r in rows] == list(range(19))
    assert [int(r["lower_age"]) for r in rows] == ESP2013_LOWER_AGES.tolist()
    assert [int(r["upper_age"]) for r in rows] == [*(ESP2013_LOWER_AGES[:-1] + 4).tolist(), 200]
    assert [float(r["standard_population"]) for r in rows] == ESP2013_WEIGHTS.tolist()
    # The seed is documented, with its column types pinned (a label such as '5-9' must stay text).
    spec = {s["name"]: s for s in yaml.safe_load((SEEDS / "_seeds.yml").read_text())["seeds"]}
    assert spec["esp2013"]["config"]["column_types"]["age_band"] == "varchar"
    assert {c["name"] for c in spec["esp2013"]["columns"]} == set(rows[0])


def test_esp2013_seed_bands_are_scotpho_create_agegroups():
    # [ESP-SCOTPHO] create_agegroups: between(age, 5k, 5k+4) -> k+1 for k < 18; 90-200 -> 19.
    scotpho = [(0, 4, 1), (5, 9, 2), (10, 14, 3), (15, 19, 4), (20, 24, 5), (25, 29, 6), (30, 34, 7),
               (35, 39, 8), (40, 44, 9), (45, 49, 10), (50, 54, 11), (55, 59, 12), (60, 64, 13), (65, 69, 14),
               (70, 74, 15), (75, 79, 16), (80, 84, 17), (85, 89, 18), (90, 200, 19)]  # fmt: skip
    with open(SEEDS / "esp2013.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    got = [(int(r["lower_age"]), int(r["upper_age"]), int(r["age_band_index"]) + 1) for r in rows]
    assert got == scotpho


# ---------------------------------------------------------------------------
# dsr


DSR_SQL = """
    select area, dsr(list(count order by lower_age), list(pop order by lower_age),
                     list(standard order by lower_age), ?, ?) as r
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
    lists = [DSR_1976_COUNTS, DSR_1976_POP, ESP1976, COUNTS["testdata_big"], POP, ESP2013_WEIGHTS.tolist()]
    conn.execute("create table t as select * from (values (1, ?::double[], ?::double[], ?::double[]), "
                 "(2, ?::double[], ?::double[], ?::double[])) v(i, x, n, w)", lists)  # fmt: skip
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
    df = pd.DataFrame(
        {
            "g": np.repeat(np.arange(n_groups), 19),
            "band": np.tile(np.arange(19), n_groups),
            "count": pd.array(counts.ravel(), dtype="Float64"),
            "pop": pop.ravel(),
            "conf": np.repeat(conf, 19),
            "mult": np.repeat(mult, 19),
            "standard": np.tile(ESP2013_WEIGHTS, n_groups),
        }
    ).sample(frac=1.0, random_state=3)  # row order must not matter
    conn.register("groups", df)
    got = conn.execute("""
        select g, dsr(list(count order by band), list(pop order by band),
                      list(standard order by band), any_value(mult), any_value(conf)) as r
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
    # Errors, as dsr_details raises them: a missing band, an empty list, a NULL population, a negative count.
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
