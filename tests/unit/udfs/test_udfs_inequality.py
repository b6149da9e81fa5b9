"""SQL functions for inequality measures (transforms.udfs.inequality): sii, par, scotpho_inequality.

Checked against the Python functions they call, on the same inputs, and
against the published values of tests/unit/stats/reference_values/inequality.py
(cited there, shared with tests/unit/stats/test_inequality.py): [PHE-SII] PHEindicatormethods testdata_SII.xlsx, whose
SII and RII point estimates are deterministic and whose limits come from R
simulations (compared to Monte Carlo error, as test_inequality.py does), and
the [SCOTPHO] example inputs, for which test_inequality.py derives SII, RII
and PAR by hand (no published output exists for them).
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from tests.unit.stats.reference_values.inequality import (
    EXPECTED,
    LE,
    PROP,
    RATE,
    SCOTPHO_OVERALL,
    SCOTPHO_POP,
    SCOTPHO_VALUE,
    TABLES,
    table_columns,
)
from transforms.stats.inequality import (
    DEFAULT_REPS,
    population_attributable_risk,
    scotpho_inequality_measures,
    slope_index_of_inequality,
)
from transforms.udfs.inequality import SII_SEED


@pytest.fixture()
def conn():
    from transforms.udfs import register

    con = register(duckdb.connect(":memory:"))
    yield con
    con.close()


def _groups(con) -> None:
    """[PHE-SII] records 1-20, 71-90 and 91-110 as one long table, rows shuffled."""
    rows = []
    for name, (table, vtype) in TABLES.items():
        for area, recs in table.items():
            for q, pop, val, lcl, ucl, _se in recs:
                rows.append({"tab": name, "vtype": vtype, "area": area, "decile": q, "pop": pop, "value": val,
                             "lcl": lcl, "ucl": ucl})  # fmt: skip
    con.register("groups", pd.DataFrame(rows).sample(frac=1.0, random_state=4))


SII_SQL = """
    select tab, area, sii(list(value order by decile), list(pop order by decile), list(lcl order by decile),
                          list(ucl order by decile), any_value(vtype), 1, 0.95) as r
    from groups group by tab, area order by tab, area
"""


def test_sii_reproduces_phe_and_equals_python(conn):
    _groups(conn)
    got = conn.execute(SII_SQL).fetchall()
    assert len(got) == len(EXPECTED)
    for tab, area, r in got:
        sii, rii, slo, shi, rlo, rhi, intercept = EXPECTED[(tab, area)]
        # Deterministic parts: the published R doubles.
        assert r["sii"] == pytest.approx(sii, rel=1e-10)
        assert r["rii"] == pytest.approx(rii, rel=1e-10)
        assert r["intercept"] == pytest.approx(intercept, rel=1e-10)
        # Simulated limits: within 2% of the interval's width of R's (as test_inequality._check_ci).
        for name, lo, hi in (("sii", slo, shi), ("rii", rlo, rhi)):
            assert r[f"{name}_lower"] == pytest.approx(lo, abs=0.02 * abs(hi - lo))
            assert r[f"{name}_upper"] == pytest.approx(hi, abs=0.02 * abs(hi - lo))
        # The same numbers as the Python function with the documented seed and default draws.
        table, vtype = TABLES[tab]
        c = table_columns(table[area])
        py = slope_index_of_inequality(c["value"], c["pop"], lower_cl=c["lcl"], upper_cl=c["ucl"], value_type=vtype,
                                       reps=DEFAULT_REPS, rng=np.random.default_rng(SII_SEED))  # fmt: skip
        assert r == {"sii": py["sii"], "sii_lower": py["sii_lower95_0cl"], "sii_upper": py["sii_upper95_0cl"],
                     "rii": py["rii"], "rii_lower": py["rii_lower95_0cl"], "rii_upper": py["rii_upper95_0cl"],
                     "intercept": py["intercept"]}  # fmt: skip


def test_sii_is_deterministic_and_independent_of_other_rows(conn):
    _groups(conn)
    everything = {(t, a): r for t, a, r in conn.execute(SII_SQL).fetchall()}
    again = {(t, a): r for t, a, r in conn.execute(SII_SQL).fetchall()}
    assert everything == again
    # One area alone gives exactly what it gave among the others.
    alone = conn.execute(SII_SQL.replace("from groups", "from groups where tab = 'LE' and area = 'area2'")).fetchall()
    assert alone[0][2] == everything[("LE", "area2")]


def test_sii_multiplier_and_confidence_level(conn):
    c = table_columns(PROP["area1"])
    args = [c["value"].tolist(), c["pop"].tolist(), c["lcl"].tolist(), c["ucl"].tolist()]
    r = conn.execute("select sii(?, ?, ?, ?, 'proportion', -100, 0.99)", args).fetchall()[0][0]
    py = slope_index_of_inequality(*args[:2], lower_cl=args[2], upper_cl=args[3], value_type="proportion",
                                   multiplier=-100, confidence=0.99, rng=np.random.default_rng(SII_SEED))  # fmt: skip
    assert r["sii"] == py["sii"] and r["sii_lower"] == py["sii_lower99_0cl"] and r["rii_upper"] == py["rii_upper99_0cl"]
    # [PHE-SII] records 131/141 (multiplier -100): SII 10.720032333730494, RII 1.874760274474414.
    assert r["sii"] == pytest.approx(10.720032333730494, rel=1e-10)
    assert r["rii"] == pytest.approx(1.874760274474414, rel=1e-10)


def test_sii_nulls_zero_events_and_errors(conn):
    c = table_columns(LE["area1"])
    v, p, lo, hi = (c[k].tolist() for k in ("value", "pop", "lcl", "ucl"))
    q = "select sii(?::double[], ?::double[], ?::double[], ?::double[], ?, ?, ?)"
    one = lambda *args: conn.execute(q, list(args)).fetchall()[0][0]  # noqa: E731
    for args in ([None, p, lo, hi, "normal", 1, 0.95], [v, p, lo, hi, None, 1, 0.95],
                 [v, p, lo, hi, "normal", 1, None]):  # fmt: skip
        assert one(*args) is None  # NULL argument: NULL struct
    # A NULL value in a group: all fields NULL (Python gives NaN), no error.
    r = one([None, *v[1:]], p, lo, hi, "normal", 1, 0.95)
    assert r is not None and all(x is None for x in r.values())
    # Zero events in the least deprived group (value 0 with limits 0 and 3): as Python.
    z = [*v[:9], 0.0]
    r = one(z, p, [*lo[:9], 0.0], [*hi[:9], 3.0], "normal", 1, 0.95)
    py = slope_index_of_inequality(z, p, lower_cl=[*lo[:9], 0.0], upper_cl=[*hi[:9], 3.0],
                                   rng=np.random.default_rng(SII_SEED))  # fmt: skip
    assert r["sii"] == py["sii"] and r["sii_lower"] == py["sii_lower95_0cl"]
    for args, message in (
        ([v, [0, *p[1:]], lo, hi, "normal", 1, 0.95], "zero, negative or missing population"),
        ([v, [None, *p[1:]], lo, hi, "normal", 1, 0.95], "zero, negative or missing population"),
        ([v, p, [None, *lo[1:]], hi, "normal", 1, 0.95], "missing lower or upper confidence limits"),
        ([[], [], [], [], "normal", 1, 0.95], "between 5 and 100"),
        ([v, p[:9], lo, hi, "normal", 1, 0.95], "same length"),
        ([v, p, lo[:9], hi[:9], "normal", 1, 0.95], "one value per group"),
        ([v, p, lo, hi, "ratio", 1, 0.95], "value_type"),
        ([v, p, lo, hi, "normal", 1, 0.5], "confidence"),
    ):
        with pytest.raises(duckdb.Error, match=message):
            one(*args)


# ---------------------------------------------------------------------------
# par and scotpho_inequality


def test_par_equals_python_and_scotpho_forms(conn):
    # [SCOTPHO] example (SIMD 1 first): (48 - 5) / 48 = 89.583...% (test_inequality.py's arithmetic).
    got = conn.execute("select par(?, ?)", [SCOTPHO_VALUE, SCOTPHO_POP]).fetchall()[0][0]
    assert got == pytest.approx(43 / 48 * 100, rel=1e-12)
    # Unequal populations ([PHE-SII] rate records 71-80): ScotPHO's sum(par_rr)/(sum(par_rr)+1) form.
    c = table_columns(RATE["area1"])
    share = c["pop"] / c["pop"].sum()
    par_rr = (c["value"] / c["value"][-1] - 1) * share
    got = conn.execute("select par(?, ?)", [c["value"].tolist(), c["pop"].tolist()]).fetchall()[0][0]
    assert got == pytest.approx(par_rr.sum() / (par_rr.sum() + 1) * 100, rel=1e-12)
    assert got == population_attributable_risk(c["value"], c["pop"])


def test_par_edge_cases(conn):
    rows = conn.execute("""
        select par(r, p) from (values
            (1, [10.0, 5, 0], [1.0, 1, 1]), (2, [10.0, NULL, 2], [1.0, 1, 1]), (3, [10.0, 5, 2], [1.0, 0, 1]),
            (4, [0.0, 0, 0], [1.0, 1, 1]), (5, NULL, [1.0, 1, 1]), (6, [10.0, 5, 2], NULL)) v(i, r, p) order by i
    """).fetchall()
    assert rows[0][0] == pytest.approx(100.0)  # least deprived rate 0: 100%
    assert [r[0] for r in rows[1:]] == [None] * 5  # NaN in Python, NULL in SQL
    with pytest.raises(duckdb.Error, match="empty"):
        conn.execute("select par([]::double[], []::double[])").fetchall()
    with pytest.raises(duckdb.Error, match="same length"):
        conn.execute("select par([1.0, 2], [1.0])").fetchall()


def test_scotpho_inequality_equals_python_and_published_sii(conn):
    q = "select scotpho_inequality(?, ?, ?, 0.95)"
    r = conn.execute(q, [SCOTPHO_VALUE, SCOTPHO_POP, SCOTPHO_OVERALL]).fetchall()[0][0]
    py = scotpho_inequality_measures(SCOTPHO_VALUE, SCOTPHO_POP, overall_rate=SCOTPHO_OVERALL)
    assert r == {"sii": py["sii"], "sii_lower": py["lowci_sii"], "sii_upper": py["upci_sii"], "rii": py["rii"],
                 "rii_lower": py["lowci_rii"], "rii_upper": py["upci_rii"], "rii_int": py["rii_int"],
                 "rii_int_lower": py["lowci_rii_int"], "rii_int_upper": py["upci_rii_int"], "par": py["par"],
                 "abs_range": py["abs_range"], "rel_range": py["rel_range"]}  # fmt: skip
    assert r["sii"] == pytest.approx(120, rel=1e-12) and r["rii"] == pytest.approx(2.5, rel=1e-12)
    # ScotPHO's SII is the PHE SII with the sign reversed: [PHE-SII] record 71, SII -3.2752012326471758.
    c = table_columns(RATE["area1"])
    overall = float((c["value"] * c["pop"]).sum() / c["pop"].sum())
    r = conn.execute(q, [c["value"].tolist(), c["pop"].tolist(), overall]).fetchall()[0][0]
    assert r["sii"] == pytest.approx(-EXPECTED[("RATE", "area1")][0], rel=1e-10)
    # NULLs and errors.
    assert conn.execute("select scotpho_inequality(NULL, [1.0], 1, 0.95)").fetchall() == [(None,)]
    q = "select scotpho_inequality([1.0, 2, 3, 4, 5], [1.0, 1, 1, 1, 1], NULL, 0.95)"
    assert conn.execute(q).fetchall() == [(None,)]
    with pytest.raises(duckdb.Error, match="exactly 5"):
        conn.execute("select scotpho_inequality([1.0, 2, 3], [1.0, 1, 1], 2, 0.95)").fetchall()
