"""Proportions with Wilson score confidence intervals.

Method: Wilson EB. Probable inference, the law of succession, and statistical
inference. *J Am Stat Assoc* 1927; 22: 209-212; as given by Newcombe RG,
Altman DG. Proportions and their differences. In Altman DG et al. (eds),
*Statistics with confidence* (2nd edn). London: BMJ Books; 2000, pp. 46-48,
and in APHO Technical Briefing 3 (Eayres 2008).  This is the method of
PHEindicatormethods ``phe_proportion`` / internal ``wilson_lower`` and
``wilson_upper`` (github.com/ukhsa-collaboration/PHEindicatormethods,
``R/Proportions.R``, ``R/utils.R``) and of ScotPHO's ``calculate_percent``
(github.com/Public-Health-Scotland/scotpho-indicator-production; ScotPHO uses
z = 1.96 and rounds, this module uses the exact normal quantile and does not
round).

Vectorised like :mod:`transforms.stats.rates`: scalars, lists, numpy arrays
or pandas Series in, broadcast together, float numpy arrays out.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from transforms.stats.arguments import alpha_from_conf, as_float

__all__ = ["wilson_ci"]


def wilson_ci(numerator, denominator, conf_level=0.95, multiplier=100):
    """Proportion ``x/n * multiplier`` with its Wilson score interval.

    With ``z`` the ``1 - alpha/2`` normal quantile (``alpha = 1 - conf_level``)::

        lower = (2x + z^2 - z*sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2))
        upper = (2x + z^2 + z*sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2))

    each multiplied by ``multiplier`` (100 for a percentage, 1 for a
    proportion).  The limits are the two solutions ``p`` of
    ``|x - n p| = z sqrt(n p (1 - p))``, so they always lie in [0, 1]; the
    formula gives lower = 0 exactly at ``x = 0`` and upper = 1 at ``x = n``,
    and those two values are set exactly rather than left to rounding.
    ``x`` need not be an integer (PHEindicatormethods tests use 0.445 of 1).

    Parameters
    ----------
    numerator, denominator : scalar or array-like
        ``x`` and ``n``, broadcast together.
    conf_level : float or array-like, default 0.95
        Two-sided level in (0, 1), e.g. 0.95 or 0.998.
    multiplier : float or array-like, default 100

    Returns
    -------
    (value, lower, upper) : three float numpy arrays
        NaN where ``numerator`` or ``denominator`` is NaN, and where the
        denominator is 0 (no proportion exists).

    Raises
    ------
    ValueError
        If a numerator or denominator is negative, a numerator exceeds its
        denominator, or ``conf_level`` is outside (0, 1).
    """
    x = as_float(numerator)
    n = as_float(denominator)
    m = as_float(multiplier)
    x, n = np.broadcast_arrays(x, n)
    if np.any(x < 0):  # NaN compares False and passes through
        raise ValueError("numerators must be greater than or equal to zero")
    if np.any(n < 0):
        raise ValueError("denominators must be greater than or equal to zero")
    if np.any(x > n):
        raise ValueError("numerators must be less than or equal to their denominators for a proportion")
    z = norm.isf(alpha_from_conf(conf_level) / 2.0)

    ok = n > 0  # False for NaN and 0
    safe_n = np.where(ok, n, 1.0)
    safe_x = np.where(ok, x, 0.0)
    z2 = z * z
    centre = 2.0 * safe_x + z2
    half = z * np.sqrt(z2 + 4.0 * safe_x * (1.0 - safe_x / safe_n))
    denom = 2.0 * (safe_n + z2)
    lower = np.where(safe_x == 0, 0.0, (centre - half) / denom)
    upper = np.where(safe_x == safe_n, 1.0, (centre + half) / denom)

    value = np.where(ok, safe_x / safe_n * m, np.nan)
    lower = np.where(ok, lower * m, np.nan)
    upper = np.where(ok, upper * m, np.nan)
    return (np.asarray(value, dtype=float), np.asarray(lower, dtype=float), np.asarray(upper, dtype=float))
