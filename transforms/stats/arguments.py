"""Argument conversion and checks shared by the modules of :mod:`transforms.stats`.

Nothing here is a statistical method: these helpers turn the arguments of the
vectorised functions into float numpy arrays and reject values no method
accepts, with the same messages everywhere.

* :func:`as_float` - scalars, lists, numpy arrays, pandas Series (including
  nullable dtypes) and pyarrow arrays to a float array; ``None``/``pd.NA``
  become NaN.
* :func:`alpha_from_conf` - the two-sided ``alpha = 1 - conf_level`` after
  checking that the level lies strictly between 0 and 1.
* :func:`check_observed` - counts must not be negative (NaN passes).
* :func:`positive` - mask of values usable as a denominator (``> 0``; False
  for NaN, zero and negative values).
"""

from __future__ import annotations

import numpy as np

__all__ = ["as_float", "alpha_from_conf", "check_observed", "positive"]


def as_float(x) -> np.ndarray:
    """Return ``x`` as a float numpy array; None and pandas NA become NaN."""
    if hasattr(x, "to_numpy"):  # pandas Series/Index (incl. nullable dtypes)
        try:
            return np.asarray(x.to_numpy(dtype=float, na_value=np.nan), dtype=float)
        except TypeError:  # e.g. pyarrow arrays, whose to_numpy takes no dtype
            x = x.to_numpy(zero_copy_only=False)
    return np.asarray(x, dtype=float)  # numpy maps None to NaN for float dtype


def check_observed(observed: np.ndarray) -> None:
    """Raise ``ValueError`` if any count is negative (NaN compares False and passes)."""
    if np.any(observed < 0):
        raise ValueError("observed counts must be greater than or equal to zero")


def alpha_from_conf(conf_level) -> np.ndarray:
    """``1 - conf_level`` as a float array; ``ValueError`` unless every level is in (0, 1).

    The level is a fraction (0.95, 0.998), not a percentage; NaN is rejected.
    """
    conf = as_float(conf_level)
    if np.any(~((conf > 0) & (conf < 1))):  # also rejects NaN
        raise ValueError("conf_level must be strictly between 0 and 1, e.g. 0.95 or 0.998")
    return 1.0 - conf


def positive(x: np.ndarray) -> np.ndarray:
    """Boolean mask ``x > 0``: False for NaN, zero and negative values."""
    return x > 0
