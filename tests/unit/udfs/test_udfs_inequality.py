"""The SQL function for inequality measures (transforms.udfs.inequality): scotpho_inequality.

Checked against the Python function it calls, on the same inputs, and
against the values of tests/unit/stats/reference_values/inequality.py
(citations there): the [SCOTPHO] example inputs, for which test_inequality.py
derives SII, RII and PAR by hand (no published output exists for them), and
the deterministic [PHE-SII] SII point estimate of PHEindicatormethods
testdata_SII.xlsx, which ScotPHO's SII equals with the sign reversed.
"""

from __future__ import annotations

import duckdb
import pytest

from tests.unit.stats.reference_values.inequality import (
    EXPECTED,
    RATE,
    SCOTPHO_OVERALL,
    SCOTPHO_POP,
    SCOTPHO_VALUE,
    table_columns,
)
from transforms.stats.inequality import scotpho_inequality_measures


@pytest.fixture()
def conn():
    from transforms.udfs import register

    con = register(duckdb.connect(":memory:"))
    yield con
    con.close()


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
