"""SQL functions for inequality across deprivation groups: SII, RII and PAR.

Each calls :mod:`transforms.stats.inequality`.  The group values reach the
functions as SQL lists ordered from the most deprived group (SIMD 1) to the
least deprived, built in a model with ``list(x order by simd_quintile)``.

The SII/RII limits of :func:`sii` are simulated (PHEindicatormethods
``phe_sii``; :data:`transforms.stats.inequality.DEFAULT_REPS` = 100,000
draws).  Each row gets its own ``numpy.random.default_rng(SII_SEED)``, so a
row's limits depend only on its inputs, never on the other rows of the query,
their order or DuckDB's batching; the same inputs always give the same limits.
(So every area's simulation uses the same stream of standard normal draws;
each area's interval is still a valid simulation of its own.)
"""

from __future__ import annotations

import numpy as np

from transforms.stats import inequality
from transforms.udfs.convert import (
    DOUBLE,
    DOUBLE_LIST,
    VARCHAR,
    Udf,
    double_struct,
    list_rows,
    null_rows,
    to_arrow_double,
    to_numpy,
    to_pylist,
    to_struct,
)

__all__ = ["UDFS", "SII_SEED", "SII_TYPE", "SCOTPHO_TYPE"]

#: Seed of the simulation behind the SII/RII limits of the ``sii`` SQL function (fixed, so builds are reproducible).
SII_SEED = 20240501

_SII_FIELDS = ("sii", "sii_lower", "sii_upper", "rii", "rii_lower", "rii_upper", "intercept")
SII_TYPE = double_struct(*_SII_FIELDS)

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


def _phe_sii_row(value, population, lower_cl, upper_cl, value_type, multiplier, conf_level) -> dict:
    res = inequality.slope_index_of_inequality(
        value,
        population,
        lower_cl=lower_cl,
        upper_cl=upper_cl,
        value_type=value_type,
        multiplier=multiplier,
        confidence=conf_level,
        rng=np.random.default_rng(SII_SEED),
    )
    out = {k: res[k] for k in ("sii", "rii", "intercept")}
    for k, v in res.items():  # one confidence level: keys such as "sii_lower95_0cl"
        for name in ("sii_lower", "sii_upper", "rii_lower", "rii_upper"):
            if k.startswith(name):
                out[name] = v
    return out


def sii(value, population, lower_cl, upper_cl, value_type, multiplier, conf_level):
    """SII and RII with simulated limits: :func:`transforms.stats.inequality.slope_index_of_inequality`.

    Untransformed fit, standard errors from the 95% limits of each group,
    100,000 draws seeded with :data:`SII_SEED` per row.
    """
    ys, ps, los, his = (list_rows(x) for x in (value, population, lower_cl, upper_cl))
    vtypes = to_pylist(value_type)
    m, c = to_numpy(multiplier), to_numpy(conf_level)
    nulls = null_rows(ys, ps, los, his, vtypes, m, c)
    rows = [
        {} if nulls[i] else _phe_sii_row(ys[i], ps[i], los[i], his[i], vtypes[i], float(m[i]), float(c[i]))
        for i in range(len(ys))
    ]
    return _struct(rows, _SII_FIELDS, nulls)


def par(rate, population):
    """Population attributable risk, percent: :func:`transforms.stats.inequality.population_attributable_risk`."""
    rs, ps = list_rows(rate), list_rows(population)
    nulls = null_rows(rs, ps)
    out = [np.nan if nulls[i] else inequality.population_attributable_risk(rs[i], ps[i]) for i in range(len(rs))]
    return to_arrow_double(out, nulls)


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
        "sii",
        sii,
        [DOUBLE_LIST, DOUBLE_LIST, DOUBLE_LIST, DOUBLE_LIST, VARCHAR, DOUBLE, DOUBLE],
        SII_TYPE,
        "Slope and relative index of inequality with limits at ``conf_level``.",
        "PHEindicatormethods ``phe_sii``, untransformed; ``value_type`` ``'normal'``, ``'rate'`` or "
        "``'proportion'``; standard errors from each group's 95% limits.  The limits at ``conf_level`` "
        "(0.9 to 1) are simulated from 100,000 draws of a generator seeded with "
        "``transforms.udfs.inequality.SII_SEED`` afresh for every row, so results are reproducible and "
        "independent of the other rows.  5 to 100 groups; a NULL value element gives NULL fields; a NULL or "
        "non-positive population, NULL limits or an empty list is an error.",
        ("transforms.stats.inequality.slope_index_of_inequality",),
    ),
    Udf(
        "par",
        par,
        [DOUBLE_LIST, DOUBLE_LIST],
        DOUBLE,
        "Population attributable risk, percent.",
        "The share of the overall rate (the population-weighted mean of the group rates) that would not "
        "occur if the whole population had the rate of the least deprived group, the last in the lists.",
        ("transforms.stats.inequality.population_attributable_risk",),
    ),
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
