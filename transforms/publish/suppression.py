"""Statistical disclosure control of published figures: small counts, and the cells that would reveal them.

Public Health Scotland's Statistical Disclosure Control Protocol asks that figures
from record-level health data are not published where a small number of people or
events could identify someone: small counts are suppressed, and other cells are
suppressed too where the small one could be worked out from totals. This module
applies that practice when a release is published (`suppress`);
transforms.publish.release_scan refuses a release that still discloses.

The rule (threshold t: `disclosure.threshold` in the configuration, default 5):

* Primary: a row whose numerator is above 0 and below t (1 to 4) is suppressed.
  For a percentage, whose denominator counts people too, also a denominator or a
  denominator minus numerator above 0 and below t. Zeros stay: that nobody in an
  area had the event discloses nothing about a person by this rule. Denominators
  that are populations are public and stay.
* Suppressed means: numerator, value, both intervals and the comparison with
  Scotland null, `quality_marker` 'c' (a percentage's denominator null too). Where
  a Scotland row is suppressed, the `scotland_value` copied from it onto the other
  areas is nulled as well.
* Complementary: a suppressed cell could be recovered by subtraction, e.g. a
  locality from its HSCP minus the other localities. Within every group of cells that
  add up to a total (the localities of an HSCP, the intermediate zones of an HSCP,
  the HSCPs of a board, the boards of Scotland, the SIMD quintiles of an area, age
  groups that partition a wider one), when exactly one cell is unknown, the smallest
  other cell with a count above zero is suppressed too, until no group has a single
  unknown cell. An age group left out of a partition (65+ is published and 75+, but
  not 65-74) counts as unknown, and as a cell needing protection when its derived
  count (65+ minus 75+) is small.
* Linked indicators (LINKED_INDICATORS): bed days are summed over the same stays as
  admissions, so a bed-day cell is suppressed wherever the admissions cell is.

Not covered, and so left to the data owner's review: differences between
overlapping geographies (intermediate zones against localities), between
periods (a rolling three-year total against single years), and between indicators
other than the linked ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

DEFAULT_THRESHOLD = 5
SUPPRESSED = "c"

# Levels never published: data-zone counts of restricted extracts are disclosive.
RESTRICTED_LEVELS = ("datazone",)
CELL_KEYS = ("indicator_id", "period", "geography_level", "geography_code", "simd_quintile", "sex", "age_group")
# Nulled in a suppressed row (the denominator too where it is a count of people).
SUPPRESSED_COLUMNS = (
    "numerator",
    "value",
    "ci95_lower",
    "ci95_upper",
    "ci998_lower",
    "ci998_upper",
    "compared_with_scotland_95",
)
# Methods whose denominator counts people or events (not a population): it is a count too.
COUNT_DENOMINATOR_METHODS = frozenset({"percentage"})
# Child level and the column holding its parent's code (None: the one Scotland).
GEOGRAPHY_PARENTS = (
    ("datazone", "intzone2011"),
    ("datazone", "locality_code"),
    ("intzone", "hscp2019"),
    ("locality", "hscp2019"),
    ("hscp", "hb2019"),
    ("health_board", None),
)
ALL_QUINTILES = "all"
# Indicator -> the count indicator of the same events: its suppressed cells are suppressed here too.
LINKED_INDICATORS = {
    "emergency_bed_days_per_1000": "emergency_admissions_per_1000",
    "average_occupied_beds_emergency": "emergency_admissions_per_1000",
}


@dataclass(frozen=True)
class Suppression:
    """What `suppress` did: the rule's parameters and how many cells each part of it suppressed."""

    threshold: int
    primary: int
    complementary: int
    linked: int

    def manifest(self) -> dict:
        return {
            "rule": f"counts from 1 to {self.threshold - 1} suppressed (quality_marker 'c'), "
            "with complementary suppression within parents, SIMD quintiles and age groups",
            **asdict(self),
        }


def is_small(x: np.ndarray, threshold: int) -> np.ndarray:
    """Where a count is above 0 and below the threshold (a missing count is not small)."""
    with np.errstate(invalid="ignore"):
        return (x > 0) & (x < threshold)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A key column as text with nulls as '' (a missing column is all ''), for grouping."""
    if name not in frame:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    return frame[name].astype(object).where(frame[name].notna(), "").astype(str)


def _age_band(label: str) -> tuple[float, float] | None:
    """'All ages', '<18', '18-64', '65+', 'under 18', '65 and over' as [lower, upper) in years."""
    text = label.strip().lower()
    if text in ("all ages", "all"):
        return (0.0, np.inf)
    for pattern, band in (
        (r"^(?:<|under )\s*(\d+)$", lambda m: (0.0, float(m[1]))),
        (r"^(\d+)\s*(?:-|–|to)\s*(\d+)$", lambda m: (float(m[1]), float(m[2]) + 1)),
        (r"^(\d+)\s*(?:\+|and over|plus)$", lambda m: (float(m[1]), np.inf)),
    ):
        m = re.match(pattern, text)
        if m:
            return band(m)
    return None


def age_partitions(labels: Iterable[str]) -> list[tuple[str, tuple[str, ...], bool]]:
    """Every way published age groups add up to a wider one: (parent, children, one group left out).

    A chain of disjoint bands from the parent's lower to its upper bound, with at most
    one stretch not published (whose count is then the parent minus the others).
    """
    bands = {label: band for label in sorted(set(labels)) if (band := _age_band(label)) is not None}
    published = set(bands.values())  # a left-out stretch is never one of these
    found = []
    for parent, (lo, hi) in bands.items():
        inside = sorted((b, label) for label, b in bands.items() if label != parent and lo <= b[0] and b[1] <= hi)

        def extend(at: float, chain: tuple[str, ...], gap: bool, hi=hi, parent=parent, inside=inside) -> None:
            if at == hi:
                if len(chain) >= (1 if gap else 2):
                    found.append((parent, chain, gap))
                return
            for (b_lo, b_hi), label in inside:
                if b_lo == at:
                    extend(b_hi, chain + (label,), gap)
                elif b_lo > at and not gap and (at, b_lo) not in published:
                    extend(b_hi, chain + (label,), True)
            if not gap and at < hi and (at, hi) not in published:
                extend(hi, chain, True)

        extend(lo, (), False)
    return sorted(set(found))


def _group_codes(columns: list[np.ndarray]) -> np.ndarray:
    """One integer per distinct combination of the key columns (0, 1, ... in sorted order)."""
    return pd.DataFrame(dict(enumerate(columns))).groupby(list(range(len(columns))), sort=True).ngroup().to_numpy()


def _groups(frame: pd.DataFrame, extra_keys: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, list[dict]]:
    """Groups of rows that add up to a total: (group id per membership, row per membership, group info)."""
    group_ids, rows, info = [], [], []
    level = _column(frame, "geography_level")
    numerator = frame["_n"].to_numpy()

    def add(selected: pd.Series, keys: list[pd.Series], meta: dict | None = None) -> None:
        idx = np.flatnonzero(selected.to_numpy())
        if not len(idx):
            return
        codes = _group_codes([k.to_numpy()[idx] for k in keys])
        offset = len(info)
        info.extend(dict(meta or {}) for _ in range(codes.max() + 1))
        group_ids.append(codes + offset)
        rows.append(idx)

    keys = {
        c: _column(frame, c) for c in (*CELL_KEYS, *extra_keys, "intzone2011", "locality_code", "hscp2019", "hb2019")
    }
    stratum = [keys[c] for c in ("indicator_id", "period", "simd_quintile", "sex", "age_group", *extra_keys)]
    for child, parent_column in GEOGRAPHY_PARENTS:
        selected = level == child
        if parent_column is not None:
            selected &= keys[parent_column] != ""
        add(selected, stratum + ([keys[parent_column]] if parent_column else []))
    area = [
        keys[c]
        for c in ("indicator_id", "period", "geography_level", "geography_code", "sex", "age_group", *extra_keys)
    ]
    add((keys["simd_quintile"] != ALL_QUINTILES) & (keys["simd_quintile"] != ""), area)

    # Age groups: only where the wider group's row exists; a left-out stretch is
    # known once the parent and every other child are, and needs protecting if small.
    cell = [
        keys[c]
        for c in ("indicator_id", "period", "geography_level", "geography_code", "simd_quintile", "sex", *extra_keys)
    ]
    cell_id = _group_codes([k.to_numpy() for k in cell])
    age = keys["age_group"].to_numpy()
    row_of = {(c, a): i for i, (c, a) in enumerate(zip(cell_id, age, strict=False))}
    for parent, children, gap in age_partitions(set(age) - {""}):
        for c in np.unique(cell_id[age == parent]):
            members = [row_of.get((c, a)) for a in children]
            present = [m for m in members if m is not None]
            derived = None
            if gap and len(present) == len(members):
                parts = numerator[[row_of[(c, parent)], *present]]
                if not np.isnan(parts).any():
                    derived = parts[0] - parts[1:].sum()
            info.append(
                {"missing": len(members) - len(present) + gap, "derived": derived, "parent_row": row_of[(c, parent)]}
            )
            group_ids.append(np.full(len(present), len(info) - 1))
            rows.append(np.array(present, dtype=int))
    if not info:
        return np.array([], dtype=int), np.array([], dtype=int), info
    return np.concatenate(group_ids), np.concatenate(rows), info


def _complete(mask: np.ndarray, frame: pd.DataFrame, groups, threshold: int) -> np.ndarray:
    """Complementary suppression: until no group of cells has exactly one unknown needing protection."""
    group_of, row_of, info = groups
    if not len(info):
        return mask
    n_groups = len(info)
    missing = np.array([g.get("missing", 0) for g in info])
    derived = np.array([np.nan if g.get("derived") is None else g["derived"] for g in info], dtype=float)
    parent_row = np.array([g.get("parent_row", -1) for g in info])
    numerator, denominator = frame["_n"].to_numpy(), frame["_d"].to_numpy()
    count_den = frame["_count_den"].to_numpy()
    eligible = (numerator > 0) | (count_den & (denominator > 0))
    mask = mask.copy()
    while True:
        suppressed = np.bincount(group_of, weights=mask[row_of], minlength=n_groups)
        # A left-out age stretch is derivable (and so needs protecting) only if its parent is published.
        exposed_gap = is_small(derived, threshold) & ~np.where(parent_row >= 0, mask[parent_row], False)
        unknown = suppressed + missing
        needs = (unknown == 1) & ((suppressed == 1) | exposed_gap)
        if not needs.any():
            return mask
        candidates = needs[group_of] & ~mask[row_of] & eligible[row_of]
        if not candidates.any():
            return mask
        g, r = group_of[candidates], row_of[candidates]
        order = np.lexsort((r, np.nan_to_num(denominator[r], nan=np.inf), np.nan_to_num(numerator[r], nan=np.inf), g))
        g, r = g[order], r[order]
        first = np.r_[True, g[1:] != g[:-1]]
        mask[r[first]] = True


def _linked(mask: np.ndarray, frame: pd.DataFrame, linked: Mapping[str, str], extra_keys) -> np.ndarray:
    """Rows of a linked indicator whose cell is suppressed in its count indicator."""
    keys = [c for c in (*CELL_KEYS, *extra_keys) if c != "indicator_id"]
    cells = pd.concat([_column(frame, c) for c in keys], axis=1)
    cells.columns = keys
    indicator = _column(frame, "indicator_id")
    add = np.zeros(len(frame), dtype=bool)
    for dependent, base in linked.items():
        hidden = cells[(indicator == base).to_numpy() & mask].drop_duplicates()
        if hidden.empty:
            continue
        rows = cells[(indicator == dependent).to_numpy()]
        add[rows.reset_index().merge(hidden, on=keys, how="inner")["index"].to_numpy()] = True
    return add


def suppression_mask(
    frame: pd.DataFrame,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    complementary: bool = True,
    linked: Mapping[str, str] | None = None,
    extra_keys: tuple[str, ...] = (),
) -> tuple[np.ndarray, Suppression]:
    """Which rows to suppress (primary, linked, complementary), and how many of each."""
    frame = frame.reset_index(drop=True).copy()
    for column, name in (("_n", "numerator"), ("_d", "denominator")):
        frame[column] = pd.to_numeric(frame[name], errors="coerce").astype(float) if name in frame else np.nan
    frame["_count_den"] = _column(frame, "method").isin(COUNT_DENOMINATOR_METHODS).to_numpy()
    n, d, count_den = frame["_n"].to_numpy(), frame["_d"].to_numpy(), frame["_count_den"].to_numpy()
    primary = is_small(n, threshold) | (count_den & (is_small(d, threshold) | is_small(d - n, threshold)))
    mask = primary.copy()
    groups = _groups(frame, extra_keys) if complementary else None
    for _ in range(100):
        before = mask.copy()
        if complementary:
            mask = _complete(mask, frame, groups, threshold)
        if linked:
            mask = mask | _linked(mask, frame, linked, extra_keys)
        if (mask == before).all():
            break
    linked_rows = _linked(mask, frame, linked, extra_keys) & ~primary if linked else np.zeros_like(mask)
    return mask, Suppression(
        threshold=threshold,
        primary=int(primary.sum()),
        linked=int(linked_rows.sum()),
        complementary=int((mask & ~primary & ~linked_rows).sum()),
    )


def _null_where(column: pa.ChunkedArray, mask: pa.Array) -> pa.ChunkedArray:
    return pc.if_else(mask, pa.scalar(None, type=column.type), column)


def suppress(
    data,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    complementary: bool = True,
    linked: Mapping[str, str] | None = None,
    extra_keys: tuple[str, ...] = (),
):
    """Apply the rule to a long-format table (pyarrow Table or pandas DataFrame); returns (same type, Suppression).

    Rows are kept, in order; a suppressed row keeps its keys and (unless a count of
    people) its denominator. Columns the rule does not know are left as they are.
    """
    as_pandas = isinstance(data, pd.DataFrame)
    table = pa.Table.from_pandas(data, preserve_index=False) if as_pandas else data
    needed = [
        c
        for c in (
            *CELL_KEYS,
            *extra_keys,
            "numerator",
            "denominator",
            "method",
            "intzone2011",
            "locality_code",
            "hscp2019",
            "hb2019",
        )
        if c in table.column_names
    ]
    frame = table.select(needed).to_pandas()
    mask, report = suppression_mask(
        frame, threshold=threshold, complementary=complementary, linked=linked, extra_keys=extra_keys
    )
    if mask.any():
        hidden = pa.array(mask)
        count_den = pa.array(mask & _column(frame, "method").isin(COUNT_DENOMINATOR_METHODS).to_numpy())
        for name in table.column_names:
            i = table.column_names.index(name)
            if name in SUPPRESSED_COLUMNS:
                table = table.set_column(i, name, _null_where(table[name], hidden))
            elif name == "denominator":
                table = table.set_column(i, name, _null_where(table[name], count_den))
            elif name == "quality_marker":
                marker = table[name] if pa.types.is_string(table[name].type) else table[name].cast(pa.string())
                table = table.set_column(i, name, pc.if_else(hidden, SUPPRESSED, marker))
        table = _hide_scotland_values(table, frame, mask, extra_keys)
    return (table.to_pandas() if as_pandas else table), report


def _hide_scotland_values(table: pa.Table, frame: pd.DataFrame, mask: np.ndarray, extra_keys) -> pa.Table:
    """scotland_value repeats the Scotland row's value on every area: null it where that row is suppressed."""
    if "scotland_value" not in table.column_names:
        return table
    keys = [c for c in ("indicator_id", "period", "simd_quintile", "sex", "age_group", *extra_keys)]
    cells = pd.concat([_column(frame, c) for c in keys], axis=1)
    cells.columns = keys
    hidden = cells[(_column(frame, "geography_level") == "scotland").to_numpy() & mask].drop_duplicates()
    if hidden.empty:
        return table
    hit = cells.reset_index().merge(hidden, on=keys, how="inner")["index"].to_numpy()
    rows = np.zeros(len(frame), dtype=bool)
    rows[hit] = True
    i = table.column_names.index("scotland_value")
    return table.set_column(i, "scotland_value", _null_where(table["scotland_value"], pa.array(rows)))
