"""Peer families: groups of similar HSCPs, and separately of similar localities.

Method (docs/methods/peer_families.md):

* Features, from the dbt model `peer_family_features` (public reference inputs):
  population (all ages), and the percentages aged 65+ and 75+, living in SIMD
  2020v2 national quintile 1 data zones, and living in urban (6-fold classes 1-2)
  and rural (classes 5-6) data zones of the Scottish Government Urban Rural
  Classification 2020.
* Standardisation, per geography level: the natural log of the population (sizes
  span 22,000 to 620,000 people; on the log scale Orkney is not a lone outlier of
  Glasgow's scale), then every feature as a z-score (mean 0, population standard
  deviation 1, over the areas of the level). Equal weights: the squared Euclidean
  distance sums the six z-scores alike.
* Constrained Ward agglomeration (Ward 1963, J Am Stat Assoc 58: 236-244): start
  from singletons; while a cluster has fewer than `min_size` members, merge, among
  the pairs in which at least one cluster is below `min_size` and whose merged size
  is at most `max_size`, the pair with the smallest Ward cost
  |A||B|/(|A|+|B|) * ||cA - cB||^2 (the increase in the within-family sum of
  squares), ties broken by the smallest member codes. If no pair keeps within
  `max_size`, the undersized cluster joins its Ward-nearest cluster anyway, and the
  family's `method` says so. Clusters that reach `min_size` are never merged
  again, so families hold `min_size` to `max_size` areas unless recorded.
* Numbering: by descending mean population, then smallest member code:
  'hscp-family-1', 'locality-family-1', ...

Everything is deterministic: areas are taken in code order, and no random start
or iteration order enters.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from transforms.sources.files import read_csv

FEATURES = (
    "population",
    "percent_65_plus",
    "percent_75_plus",
    "percent_simd_quintile_1",
    "percent_urban",
    "percent_rural",
)
LEVELS = ("hscp", "locality")
MIN_SIZE = 5
MAX_SIZE = 8
# SIMD national quintile 1 holds a fifth of Scotland's data zones, so about a fifth of
# its people: the family-name bands are either side of that share.
SIMD_QUINTILE_SHARE = 20.0
SUPPLIED_COLUMNS = ("geography_code", "family_id")
_ASSIGNMENT_COLUMNS = ("geography_level", "geography_code", "family_id", "family_name", "family_size", "method")


class SuppliedFamiliesError(ValueError):
    """A supplied families CSV breaks a rule; the message names the file, row, column and rule."""


def standardise(features: pd.DataFrame) -> pd.DataFrame:
    """The z-scores of one level's features (log population), columns z_<feature>, same index.

    A feature that does not vary over the level gets z = 0 everywhere.
    """
    values = features[list(FEATURES)].astype("float64").copy()
    values["population"] = np.log(values["population"])
    spread = values.std(ddof=0).replace(0.0, 1.0)
    z = (values - values.mean()) / spread
    return z.rename(columns={f: f"z_{f}" for f in FEATURES})


def ward_costs(sizes: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """The Ward cost |A||B|/(|A|+|B|) * ||cA - cB||^2 of merging every pair of clusters."""
    gaps = ((centroids[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
    return np.outer(sizes, sizes) / (sizes[:, None] + sizes[None, :]) * gaps


def constrained_ward(
    codes: list[str], points: np.ndarray, min_size: int = MIN_SIZE, max_size: int = MAX_SIZE
) -> list[list[int]]:
    """Clusters (lists of row positions, each in code order) of the constrained agglomeration.

    `codes` must be sorted; `points` holds one row of standardised features per code.
    A cluster larger than `max_size` was formed by a merge that no pair within the
    cap allowed.
    """
    clusters: list[list[int]] = [[i] for i in range(len(codes))]
    while len(clusters) > 1 and any(len(c) < min_size for c in clusters):
        sizes = np.array([len(c) for c in clusters], dtype="float64")
        costs = ward_costs(sizes, np.array([points[c].mean(axis=0) for c in clusters]))
        undersized = sizes < min_size
        pairs = np.triu(undersized[:, None] | undersized[None, :], k=1)
        within = pairs & (sizes[:, None] + sizes[None, :] <= max_size)
        over = not within.any()
        eligible = pairs if over else within
        cheapest = costs[eligible].min()
        # ties: the pair whose smallest member codes come first (clusters keep code order)
        i, j = min(
            zip(*np.nonzero(eligible & (costs == cheapest)), strict=True),
            key=lambda ij: sorted((codes[clusters[ij[0]][0]], codes[clusters[ij[1]][0]])),
        )
        merged = sorted(clusters[i] + clusters[j])
        clusters = [clusters[k] for k in range(len(clusters)) if k not in (i, j)] + [merged]
    return clusters


def refine(points: np.ndarray, clusters: list[list[int]], min_size: int = MIN_SIZE, max_size: int = MAX_SIZE):
    """Clusters improved by moving one area, or swapping two, between families while that lowers the Ward criterion.

    Agglomeration never revisits a merge: an outlying group merged last must join
    whichever family still has room, not the one it is nearest. This pass repairs
    that: at each step it takes, of every move of one area to another family and
    every swap of two areas of different families that keeps each family within
    `min_size`..`max_size` (a family already outside them may only come closer),
    the one that lowers the total within-family sum of squares the most, until none
    does (a local optimum; each step lowers the sum, so it ends). Ties go to the
    first pair of positions (code order). Returns the clusters, each in code order.
    """
    labels = np.empty(len(points), dtype=int)
    for k, members in enumerate(clusters):
        labels[members] = k
    norms = (points**2).sum(axis=1)
    n_clusters = len(clusters)
    for _ in range(10 * len(points) ** 2):  # a bound well above any run seen; each step strictly improves
        sizes = np.bincount(labels, minlength=n_clusters).astype("float64")
        centroids = np.array([points[labels == k].mean(axis=0) for k in range(n_clusters)])
        own = labels
        # Moves: area i leaves its family A (|A| - 1 >= min_size) for family B (|B| + 1 <= max_size).
        to_centroid = ((points[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
        a = sizes[own]
        with np.errstate(divide="ignore", invalid="ignore"):
            leave = -a / (a - 1.0) * to_centroid[np.arange(len(points)), own]
        join = sizes[None, :] / (sizes[None, :] + 1.0) * to_centroid
        move = leave[:, None] + join
        allowed = ((a - 1 >= min_size) | (a > max_size))[:, None] & ((sizes + 1 <= max_size) | (sizes < min_size))[
            None, :
        ]
        allowed &= own[:, None] != np.arange(n_clusters)[None, :]
        move = np.where(allowed, move, np.inf)
        # Swaps: i in A and j in B change places; sizes stay, so they are always allowed.
        shift = (points[None, :, :] - points[:, None, :]) / a[:, None, None]  # c_A' - c_A when j replaces i
        c_a = centroids[own]
        gain_a = (
            norms[None, :]
            - norms[:, None]
            - a[:, None] * (((c_a[:, None, :] + shift) ** 2).sum(axis=2) - (c_a**2).sum(axis=1)[:, None])
        )
        swap = gain_a + gain_a.T
        swap = np.where(own[:, None] != own[None, :], swap, np.inf)
        swap = np.triu(swap, k=1) + np.tril(np.full_like(swap, np.inf))
        best_move, best_swap = move.min(), swap.min()
        if min(best_move, best_swap) >= -1e-9 * (1.0 + norms.sum()):
            break
        if best_move <= best_swap:
            i, k = np.unravel_index(np.argmin(move), move.shape)
            labels[i] = k
        else:
            i, j = np.unravel_index(np.argmin(swap), swap.shape)
            labels[i], labels[j] = labels[j], labels[i]
    return [sorted(np.flatnonzero(labels == k).tolist()) for k in range(n_clusters) if (labels == k).any()]


def _level_of(level: str, features: pd.DataFrame) -> pd.DataFrame:
    return features[features["geography_level"] == level].sort_values("geography_code").reset_index(drop=True)


def area_traits(areas: pd.DataFrame) -> pd.DataFrame:
    """The words describing each area of one level (columns size, settlement, deprivation, age; None: no word).

    Size 'large', 'mid-sized' or 'small' (terciles of the level's populations);
    'urban' when at least half its people live in urban data zones (6-fold 1-2),
    'rural' when at least 40 % live in rural ones (5-6); 'more deprived' with 25 % or
    more in SIMD quintile 1, 'less deprived' under 15 % (a fifth of Scots live in
    quintile 1); 'older' or 'younger' when its share aged 65+ is more than 2 points
    above or below that of the level's whole population.
    """
    low, high = areas["population"].quantile([1 / 3, 2 / 3])
    level_65 = (areas["percent_65_plus"] * areas["population"]).sum() / areas["population"].sum()
    older = areas["percent_65_plus"] - level_65
    deprived = areas["percent_simd_quintile_1"]

    def words(conditions: list, choices: list[str]) -> pd.Series:
        return pd.Series(np.select(conditions, choices, default=""), index=areas.index).replace("", None)

    return pd.DataFrame(
        {
            "size": words([areas["population"] > high, areas["population"] <= low], ["large", "small"]).fillna(
                "mid-sized"
            ),
            "settlement": words([areas["percent_urban"] >= 50, areas["percent_rural"] >= 40], ["urban", "rural"]),
            "deprivation": words(
                [deprived >= SIMD_QUINTILE_SHARE + 5, deprived < SIMD_QUINTILE_SHARE - 5],
                ["more deprived", "less deprived"],
            ),
            "age": words([older > 2, older < -2], ["older", "younger"]),
        }
    )


def family_name(traits: pd.DataFrame) -> str:
    """The words of `area_traits` true of every member, e.g. 'Rural, less deprived'; 'Mixed' when none is.

    A word enters the name only if every member has it, so the name never claims
    what one member is not.
    """
    words = [
        traits[kind].iloc[0] for kind in traits.columns if traits[kind].notna().all() and traits[kind].nunique() == 1
    ]
    return ", ".join(words).capitalize() if words else "Mixed"


def computed_method(min_size: int, max_size: int) -> str:
    return (
        f"computed: constrained Ward, families of {min_size} to {max_size}, equal weights on z-scores of "
        "log population and % aged 65+, % aged 75+, % SIMD quintile 1, % urban, % rural"
    )


def compute_families(features: pd.DataFrame, min_size: int = MIN_SIZE, max_size: int = MAX_SIZE) -> pd.DataFrame:
    """Peer families of each geography level of `features` (columns of `peer_family_features`).

    Returns geography_level, geography_code, family_id, family_name, family_size and
    method, one row per area, in level and code order.
    """
    if not 2 <= min_size <= max_size:
        raise ValueError(f"families need 2 <= min_size <= max_size, got {min_size} and {max_size}")
    rows = []
    for level in [lv for lv in LEVELS if lv in set(features["geography_level"])]:
        areas = _level_of(level, features)
        codes = areas["geography_code"].tolist()
        repeated = sorted(areas.loc[areas["geography_code"].duplicated(), "geography_code"])
        if repeated:
            raise ValueError(f"features: {level} codes repeated: {repeated}")
        points = standardise(areas).to_numpy()
        clusters = refine(points, constrained_ward(codes, points, min_size, max_size), min_size, max_size)
        order = sorted(
            range(len(clusters)),
            key=lambda k: (-areas.loc[clusters[k], "population"].mean(), codes[clusters[k][0]]),
        )
        method = computed_method(min_size, max_size)
        traits = area_traits(areas)
        for number, k in enumerate(order, start=1):
            members = areas.loc[clusters[k]]
            name = family_name(traits.loc[clusters[k]])
            note = ""
            if len(members) > max_size:
                note = f" (over {max_size}: no merge within the size cap was possible)"
            if len(members) < min_size:
                note = f" (under {min_size}: the level has too few areas)"
            for code in members["geography_code"]:
                rows.append(
                    {
                        "geography_level": level,
                        "geography_code": code,
                        "family_id": f"{level}-family-{number}",
                        "family_name": name,
                        "family_size": len(members),
                        "method": method + note,
                    }
                )
    return _in_order(pd.DataFrame(rows, columns=list(_ASSIGNMENT_COLUMNS)))


def _in_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in level order (HSCPs, then localities), then code order."""
    rank = {level: i for i, level in enumerate(LEVELS)}
    frame = frame.sort_values(
        ["geography_level", "geography_code"], key=lambda s: s.map(rank) if s.name == "geography_level" else s
    )
    return frame.reset_index(drop=True)


def _refuse(path: Path, rule: str, detail: str, *, column: str, row: int | None = None) -> SuppliedFamiliesError:
    """`<file>: data row <n> (line <n+1>), column <c>: <detail> [rule <rule>]`."""
    where = f"data row {row} (line {row + 1}), " if row is not None else ""
    return SuppliedFamiliesError(f"{path}: {where}column {column}: {detail} [rule {rule}]")


def read_supplied_families(path: Path, features: pd.DataFrame) -> pd.DataFrame:
    """Families a user supplies as a CSV: geography_code, family_id and optionally family_name.

    The file replaces the computed families of every level it names an area of, so
    it must name every area of such a level, each once. A UTF-8 BOM and CRLF line
    endings are accepted. Returns geography_level, geography_code, family_id,
    family_name (None when the file has no such column), family_size. Raises
    SuppliedFamiliesError naming the file, data row, column and rule broken.
    """
    path = Path(path)
    frame, _ = read_csv(path)
    frame.columns = [c.strip() for c in frame.columns]
    for column in SUPPLIED_COLUMNS:
        if column not in frame.columns:
            raise _refuse(
                path,
                "required_columns",
                f"missing from the header (line 1): the file needs columns {', '.join(SUPPLIED_COLUMNS)} "
                f"(and may have family_name); it has {', '.join(frame.columns)}",
                column=column,
            )
    named = "family_name" in frame.columns
    columns = [*SUPPLIED_COLUMNS, *(["family_name"] if named else [])]
    frame = frame[columns].apply(lambda s: s.str.strip())
    levels = features.set_index("geography_code")["geography_level"]
    first_row: dict[str, int] = {}
    for position, record in enumerate(frame.itertuples(index=False), start=1):
        for column in columns:
            if getattr(record, column) == "":
                raise _refuse(path, "value_not_blank", "the value is blank", column=column, row=position)
        code = record.geography_code
        if code not in levels.index:
            raise _refuse(
                path,
                "known_geography_code",
                f"{code!r} is not a HSCP or locality code of peer_family_features (S37..., or a S99 locality code)",
                column="geography_code",
                row=position,
            )
        if code in first_row:
            earlier = frame.iloc[first_row[code] - 1]["family_id"]
            raise _refuse(
                path,
                "one_family_per_area",
                f"{code} is already in family {earlier!r} (data row {first_row[code]}); "
                f"here it is in {record.family_id!r}",
                column="geography_code",
                row=position,
            )
        first_row[code] = position
    frame["geography_level"] = frame["geography_code"].map(levels)
    frame["row"] = range(1, len(frame) + 1)
    for family_id, family in frame.groupby("family_id", sort=True):
        first = int(family["row"].iloc[0])
        if family["geography_level"].nunique() > 1:
            other = family[family["geography_level"] != family["geography_level"].iloc[0]].iloc[0]
            raise _refuse(
                path,
                "one_level_per_family",
                f"family {family_id!r} mixes levels: {other['geography_code']} is a {other['geography_level']}, "
                f"the family's first member (data row {first}) a {family['geography_level'].iloc[0]}",
                column="family_id",
                row=int(other["row"]),
            )
        if len(family) == 1:
            raise _refuse(
                path,
                "family_has_two_or_more_members",
                f"family {family_id!r} has one member; a family needs at least two",
                column="family_id",
                row=first,
            )
        if named and family["family_name"].nunique() > 1:
            raise _refuse(
                path,
                "one_name_per_family",
                f"family {family_id!r} has several names: {', '.join(sorted(set(family['family_name'])))}",
                column="family_name",
                row=first,
            )
    for level, listed in frame.groupby("geography_level", sort=True):
        expected = features.loc[features["geography_level"] == level, ["geography_code", "geography_name"]]
        missing = expected[~expected["geography_code"].isin(listed["geography_code"])].sort_values("geography_code")
        if not missing.empty:
            shown = ", ".join(f"{c} ({n})" for c, n in missing.head(5).itertuples(index=False))
            more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            raise _refuse(
                path,
                "every_area_of_a_covered_level",
                f"the file gives families to {level} areas (data rows {listed['row'].min()} to "
                f"{listed['row'].max()}) but not to {len(missing)} of them: {shown}{more}",
                column="geography_code",
            )
    frame["family_size"] = frame.groupby("family_id")["geography_code"].transform("size")
    if not named:
        frame["family_name"] = None
    return frame[["geography_level", "geography_code", "family_id", "family_name", "family_size"]]


def assign_families(features: pd.DataFrame, supplied: Path | None = None) -> pd.DataFrame:
    """The published peer family table: every feature column, the family and the z-scores.

    Families are computed (`compute_families`) for every level, then a supplied CSV
    (`read_supplied_families`) replaces those of the levels it covers; their method
    says 'supplied: <file name>'. A supplied family without a name gets the one
    built from its members' features. The z_<feature> columns are the standardised
    features of the computed method (given for supplied families too, for comparison).
    """
    families = compute_families(features)
    if supplied is not None:
        given = read_supplied_families(supplied, features)
        for (level, _), family in given.groupby(["geography_level", "family_id"]):
            if family["family_name"].isna().all():
                areas = _level_of(level, features)
                traits = area_traits(areas).set_index(areas["geography_code"])
                given.loc[family.index, "family_name"] = family_name(traits.loc[family["geography_code"]])
        given["method"] = f"supplied: {Path(supplied).name}"
        kept = families[~families["geography_level"].isin(set(given["geography_level"]))]
        families = pd.concat([kept, given[list(_ASSIGNMENT_COLUMNS)]])
    z = []
    for level in LEVELS:
        areas = _level_of(level, features)
        z.append(pd.concat([areas[["geography_level", "geography_code"]], standardise(areas)], axis=1))
    table = features.merge(families, on=["geography_level", "geography_code"], how="left", validate="1:1")
    table = table.merge(pd.concat(z), on=["geography_level", "geography_code"], how="left", validate="1:1")
    return _in_order(table)
