"""SQL function for inequality across deprivation groups: the ScotPHO SII, RII and PAR.

It calls :func:`transforms.stats.inequality.scotpho_inequality_measures`.  The
group values reach it as SQL lists ordered from the most deprived group
(SIMD 1) to the least deprived, built in a model with
``list(x order by simd_quintile)``.  Its limits are the regression's own, so
it is deterministic (no simulation).
"""

from __future__ import annotations

import numpy as np

from transforms.stats import inequality
from transforms.udfs.convert import (
    DOUBLE,
    DOUBLE_LIST,
    Udf,
    double_struct,
    list_rows,
    null_rows,
    to_arrow_double,
    to_numpy,
    to_struct,
)

__all__ = ["UDFS", "SCOTPHO_TYPE"]

#: SQL field <- key of :func:`transforms.stats.inequality.scotpho_inequality_measures`.
_SCOTPHO_FIELDS = {
    "sii": "sii",
    "sii_lower": "lowci_sii",
    "sii_upper": "upci_sii",
    "rii": "rii",
    "rii_lower": "lowci_rii",
    "rii_upper": "upci_rii",
    "rii_int": "rii_int",
    "rii_int_lower": "lowci_rii_int",
    "rii_int_upper": "upci_rii_int",
    "par": "par",
    "abs_range": "abs_range",
    "rel_range": "rel_range",
}
SCOTPHO_TYPE = double_struct(*_SCOTPHO_FIELDS)


def _struct(rows: list, fields, nulls: np.ndarray):
    return to_struct({f: to_arrow_double([r.get(f, np.nan) for r in rows]) for f in fields}, nulls)


def scotpho_inequality(rate, population, overall_rate, conf_level):
    """ScotPHO SII, RII, PAR and ranges: :func:`transforms.stats.inequality.scotpho_inequality_measures`."""
    rs, ps = list_rows(rate), list_rows(population)
    overall, c = to_numpy(overall_rate), to_numpy(conf_level)
    nulls = null_rows(rs, ps, overall, c)
    rows = []
    for i in range(len(rs)):
        if nulls[i]:
            rows.append({})
            continue
        res = inequality.scotpho_inequality_measures(
            rs[i], ps[i], overall_rate=float(overall[i]), confidence=float(c[i])
        )
        rows.append({field: res[key] for field, key in _SCOTPHO_FIELDS.items()})
    return _struct(rows, _SCOTPHO_FIELDS, nulls)


UDFS = (
    Udf(
        "scotpho_inequality",
        scotpho_inequality,
        [DOUBLE_LIST, DOUBLE_LIST, DOUBLE, DOUBLE],
        SCOTPHO_TYPE,
        "The ScotPHO inequality measures: SII, RII, PAR and the ranges.",
        "For 5 or 10 groups: SII positive when rates fall with deprivation, regression limits, "
        "RII = SII / overall rate, PAR with ``overall_rate``, absolute and relative ranges.",
        ("transforms.stats.inequality.scotpho_inequality_measures",),
    ),
)
