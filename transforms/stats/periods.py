"""Rolling multi-year periods: counts and populations summed over the period.

Rule (period type ``'rolling 3 financial years'`` of the catalogue): an
indicator for a rolling period of ``n`` consecutive years is computed from
the **sums** of its numerator and denominator over those years (for a DSR,
the sums per age band), and the rate, its confidence interval and any
comparison are then computed from the sums exactly as for a single year.
Annual rates are never averaged.  With the populations summed as well, the
denominator is in person-years, so the rate is the average annual rate over
the period and the interval reflects all the period's events.

:func:`rolling_period_sums` applies the rule to a long frame; the dbt macro
``rolling_three_years`` (``dbt_project/macros/rolling_periods.sql``) does the
same in SQL and is tested against it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["rolling_period_sums", "financial_years_label"]


def _as_list(cols) -> list:
    if cols is None:
        return []
    return [cols] if isinstance(cols, str) else list(cols)


def rolling_period_sums(
    df: pd.DataFrame,
    year_col: str,
    sum_cols: str | Sequence[str],
    group_cols: str | Sequence[str] | None = None,
    n_years: int = 3,
) -> pd.DataFrame:
    """Sums of ``sum_cols`` over every rolling period of ``n_years`` consecutive years.

    ``df`` has one or more rows per group and year (``year_col`` holds whole
    years, e.g. the starting year of a financial year).  A period ending in
    year ``y`` covers ``y - n_years + 1 .. y`` and exists only when every one
    of those years occurs somewhere in ``df`` (so the data cover the whole
    period); a group with no row in one of the years contributes nothing for
    that year, i.e. zero events, as left-joining counts onto populations
    gives.  A group with no row in the whole period gets no row.  Missing
    values in ``sum_cols`` count as zero (``sum`` skips them, like SQL).

    Returns one row per group and period, sorted by group and ``last_year``,
    with the group columns, ``first_year``, ``last_year``, ``n_years`` and the
    sums (float).
    """
    if not isinstance(n_years, (int, np.integer)) or isinstance(n_years, bool) or n_years < 1:
        raise ValueError("n_years must be a positive integer")
    groups = _as_list(group_cols)
    sums = _as_list(sum_cols)
    missing = [c for c in [year_col, *groups, *sums] if c not in df.columns]
    if missing:
        raise KeyError(f"columns not in the data frame: {missing}")
    years = pd.to_numeric(df[year_col], errors="raise")
    if years.isna().any() or not np.all(np.mod(years, 1) == 0):
        raise ValueError(f"{year_col!r} must hold whole years without missing values")
    years = years.astype("int64")
    present = set(years.tolist())
    ends = sorted(y for y in present if all(y - k in present for k in range(n_years)))

    parts = []
    values = df[sums].apply(pd.to_numeric).astype(float)
    for end in ends:
        first = end - n_years + 1
        in_period = (years >= first) & (years <= end)
        part = pd.concat([df.loc[in_period, groups], values.loc[in_period]], axis=1)
        if groups:
            agg = part.groupby(groups, sort=True, dropna=False, observed=True)[sums].sum(min_count=0).reset_index()
        else:
            agg = part[sums].sum().to_frame().T
        agg.insert(len(groups), "first_year", first)
        agg.insert(len(groups) + 1, "last_year", end)
        agg.insert(len(groups) + 2, "n_years", n_years)
        parts.append(agg)
    columns = [*groups, "first_year", "last_year", "n_years", *sums]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=float if c in sums else object) for c in columns})
    out = pd.concat(parts, ignore_index=True)[columns]
    out[sums] = out[sums].astype(float)
    out[["first_year", "last_year", "n_years"]] = out[["first_year", "last_year", "n_years"]].astype("int64")
    return out.sort_values([*groups, "last_year"], kind="stable").reset_index(drop=True)


def financial_years_label(first_year: int, last_year: int) -> str:
    """Label of a run of financial years by their starting years: (2019, 2021) -> '2019/20 to 2021/22'.

    A single year gives its own label ('2021/22'), the form of
    ``financial_year_label`` in ``dbt_project/macros/financial_year.sql``.
    """
    first, last = int(first_year), int(last_year)
    if last < first:
        raise ValueError("last_year must not be before first_year")

    def one(y: int) -> str:
        return f"{y}/{(y + 1) % 100:02d}"

    return one(first) if first == last else f"{one(first)} to {one(last)}"
