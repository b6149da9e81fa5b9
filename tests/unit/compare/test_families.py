"""Peer families (transforms.compare.families) on constructed features: the method, the names, a supplied CSV."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from transforms.compare.families import (
    FEATURES,
    SuppliedFamiliesError,
    assign_families,
    compute_families,
    constrained_ward,
    read_supplied_families,
    refine,
    standardise,
    ward_costs,
)

# Three kinds of HSCP, six of each: big deprived cities, rural counties, islands.
KINDS = {
    "city": {"population": 300_000, "percent_65_plus": 16, "percent_75_plus": 7, "percent_simd_quintile_1": 40,
             "percent_urban": 98, "percent_rural": 1},
    "rural": {"population": 120_000, "percent_65_plus": 25, "percent_75_plus": 12, "percent_simd_quintile_1": 5,
              "percent_urban": 30, "percent_rural": 48},
    "island": {"population": 25_000, "percent_65_plus": 26, "percent_75_plus": 12, "percent_simd_quintile_1": 0,
               "percent_urban": 0, "percent_rural": 70},
}  # fmt: skip


def make_features(per_kind: int = 6, level: str = "hscp", prefix: str = "S37") -> pd.DataFrame:
    """Areas of the three kinds, interleaved in code order, each a little off its kind's values."""
    rows = []
    for i in range(per_kind * len(KINDS)):
        kind = list(KINDS)[i % len(KINDS)]
        jitter = 1 + 0.01 * (i // len(KINDS))
        values = {f: v * jitter for f, v in KINDS[kind].items()}
        values["population"] = round(values["population"])
        rows.append(
            {
                "geography_level": level,
                "geography_code": f"{prefix}{i:06d}",
                "geography_name": f"{kind} {i}",
                "hscp2019": f"S37{i:06d}",
                "period": "2022/23",
                **values,
                "is_synthetic": False,
                "source_vintage": "v",
            }
        )
    return pd.DataFrame(rows)


def kinds_of(features: pd.DataFrame, families: pd.DataFrame) -> dict[str, set[str]]:
    joined = families.merge(features[["geography_code", "geography_name"]], on="geography_code")
    return {fid: {n.split()[0] for n in g["geography_name"]} for fid, g in joined.groupby("family_id")}


# --------------------------------------------------------------------------- the method


def test_standardised_features_are_z_scores_of_log_population_and_the_shares():
    features = make_features()
    z = standardise(features)
    assert list(z.columns) == [f"z_{f}" for f in FEATURES]
    assert np.allclose(z.mean(), 0) and np.allclose(z.std(ddof=0), 1)
    logs = np.log(features["population"].astype(float))
    assert np.allclose(z["z_population"], (logs - logs.mean()) / logs.std(ddof=0))
    flat = features.assign(percent_rural=10.0)
    assert (standardise(flat)["z_percent_rural"] == 0).all()  # no spread: no weight, not a division by zero


def test_ward_cost_is_the_rise_in_the_within_cluster_sum_of_squares():
    a, b = np.array([[0.0, 0.0], [2.0, 0.0]]), np.array([[5.0, 4.0]])
    within = lambda p: ((p - p.mean(axis=0)) ** 2).sum()  # noqa: E731
    rise = within(np.vstack([a, b])) - within(a) - within(b)
    cost = ward_costs(np.array([2.0, 1.0]), np.array([a.mean(axis=0), b.mean(axis=0)]))[0, 1]
    assert cost == pytest.approx(rise) == pytest.approx(2 * 1 / 3 * (16 + 16))


def test_the_three_kinds_of_area_make_three_families_of_six():
    features = make_features()
    families = compute_families(features)
    assert sorted(families["family_size"].unique()) == [6]
    assert sorted(map(sorted, kinds_of(features, families).values())) == [["city"], ["island"], ["rural"]]
    # numbered by descending mean population: cities first, islands last
    named = families.merge(features, on="geography_code")
    first = named.loc[named["family_id"] == "hscp-family-1", "geography_name"].str.split().str[0]
    last = named.loc[named["family_id"] == "hscp-family-3", "geography_name"].str.split().str[0]
    assert set(first) == {"city"} and set(last) == {"island"}


def test_families_are_the_same_twice_and_whatever_the_row_order():
    features = make_features()
    once, twice = compute_families(features), compute_families(features)
    pd.testing.assert_frame_equal(once, twice)
    shuffled = features.sample(frac=1, random_state=7).reset_index(drop=True)
    pd.testing.assert_frame_equal(compute_families(shuffled), once)


def test_ties_go_to_the_pair_with_the_smallest_codes():
    # four points on a square: every neighbouring pair costs the same
    points = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    clusters = constrained_ward(["A", "B", "C", "D"], points, min_size=2, max_size=2)
    assert clusters == [[0, 1], [2, 3]]  # A+B first (A-B and A-C tie: B < C), then C+D
    assert all(len(c) <= 2 for c in clusters)  # no merge had to break the cap


def test_an_undersized_family_that_cannot_keep_within_the_cap_is_merged_anyway_and_says_so():
    # 9 areas, families of 5 to 8: whatever the merges, one of 5 and one of 4 remain
    features = make_features(per_kind=3)
    families = compute_families(features, min_size=5, max_size=8)
    assert families["family_size"].tolist() == [9] * 9
    assert families["method"].str.endswith("(over 8: no merge within the size cap was possible)").all()


def test_a_level_with_fewer_areas_than_a_family_is_one_family_and_says_so():
    families = compute_families(make_features(per_kind=1))
    assert set(families["family_id"]) == {"hscp-family-1"} and families["family_size"].tolist() == [3] * 3
    assert families["method"].str.endswith("(under 5: the level has too few areas)").all()


def test_levels_are_grouped_separately():
    features = pd.concat([make_features(), make_features(per_kind=5, level="locality", prefix="S99")])
    families = compute_families(features)
    assert families["geography_level"].tolist() == ["hscp"] * 18 + ["locality"] * 15
    by_level = families.groupby("family_id")["geography_level"].nunique()
    assert (by_level == 1).all()
    localities = families[families["geography_level"] == "locality"]
    assert localities.groupby("family_id").size().to_dict() == {f"locality-family-{k}": 5 for k in (1, 2, 3)}


def test_sizes_outside_the_method_are_refused():
    with pytest.raises(ValueError, match="min_size <= max_size"):
        compute_families(make_features(), min_size=6, max_size=5)


def test_a_family_name_says_only_what_every_member_is():
    features = make_features()
    families = compute_families(features).merge(features, on="geography_code")
    names = families.groupby(families["geography_name"].str.split().str[0])["family_name"].first()
    assert names.to_dict() == {
        "city": "Large, urban, more deprived, younger",
        "rural": "Mid-sized, rural, less deprived, older",
        "island": "Small, rural, less deprived, older",
    }
    # one member of another kind in a family: only the words true of all remain
    traits = compute_families(make_features(per_kind=3), min_size=9, max_size=9)
    assert traits["family_name"].unique().tolist() == ["Mixed"]


# --------------------------------------------------------------------------- supplied families


def write(tmp_path, text: str, name: str = "families.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def supplied_csv(features: pd.DataFrame, size: int = 9, named: bool = True) -> str:
    """Two families of the HSCPs of `features` in code order (halves), as CSV text."""
    codes = sorted(features.loc[features["geography_level"] == "hscp", "geography_code"])
    lines = ["geography_code,family_id" + (",family_name" if named else "")]
    for i, code in enumerate(codes):
        family = "north" if i < size else "south"
        lines.append(f"{code},{family}" + (f",The {family}" if named else ""))
    return "\n".join(lines) + "\n"


def test_a_supplied_csv_replaces_the_computed_families_of_its_level(tmp_path):
    features = pd.concat([make_features(), make_features(per_kind=5, level="locality", prefix="S99")])
    path = write(tmp_path, supplied_csv(features))
    table = assign_families(features, path)
    hscp = table[table["geography_level"] == "hscp"]
    assert set(hscp["family_id"]) == {"north", "south"} and set(hscp["family_size"]) == {9}
    assert set(hscp["family_name"]) == {"The north", "The south"}
    assert set(hscp["method"]) == {"supplied: families.csv"}
    computed = compute_families(features)
    localities = table[table["geography_level"] == "locality"].reset_index(drop=True)
    expected = computed[computed["geography_level"] == "locality"].reset_index(drop=True)
    pd.testing.assert_frame_equal(localities[expected.columns], expected)  # the level it does not cover


def test_the_published_table_has_every_feature_the_family_and_the_z_scores(tmp_path):
    features = make_features()
    table = assign_families(features)
    assert list(table.columns) == [
        *features.columns,
        "family_id",
        "family_name",
        "family_size",
        "method",
        *[f"z_{f}" for f in FEATURES],
    ]
    assert len(table) == len(features) and table["geography_code"].is_unique
    assert np.allclose(table[[f"z_{f}" for f in FEATURES]].to_numpy(), standardise(features).to_numpy())


def test_supplied_families_without_names_are_named_from_their_members(tmp_path):
    features = make_features()
    path = write(tmp_path, supplied_csv(features, named=False))
    given = read_supplied_families(path, features)
    assert given["family_name"].isna().all()
    table = assign_families(features, path)
    assert set(table["family_name"]) == {"Mixed"}  # each half holds all three kinds


def test_a_byte_order_mark_and_crlf_are_accepted(tmp_path):
    features = make_features()
    text = "\ufeff" + supplied_csv(features).replace("\n", "\r\n")
    given = read_supplied_families(write(tmp_path, text), features)
    assert list(given["family_id"].value_counts().sort_index()) == [9, 9]


def _one_change(features: pd.DataFrame, change) -> str:
    lines = supplied_csv(features).splitlines()
    return "\n".join(change(lines)) + "\n"


MALFORMED = {
    # case: (change to the lines of a good file, where, column, rule, words of the message)
    "unknown code": (
        lambda ls: [*ls[:3], "S37999999,north,The north", *ls[4:]],
        "data row 3 (line 4)",
        "geography_code",
        "known_geography_code",
        "'S37999999' is not a HSCP or locality code",
    ),
    "area in two families": (
        lambda ls: [*ls, ls[1].replace("north", "south")],
        "data row 19 (line 20)",
        "geography_code",
        "one_family_per_area",
        "S37000000 is already in family 'north' (data row 1); here it is in 'south'",
    ),
    "area missing": (
        lambda ls: [*ls[:5], *ls[6:]],
        "data rows 1 to 17",
        "geography_code",
        "every_area_of_a_covered_level",
        "not to 1 of them: S37000004 (rural 4)",
    ),
    "family of one": (
        lambda ls: [*ls[:-1], ls[-1].replace("south", "alone")],
        "data row 18 (line 19)",
        "family_id",
        "family_has_two_or_more_members",
        "family 'alone' has one member",
    ),
    "blank family": (
        lambda ls: [*ls[:2], ls[2].replace(",north,", ", ,"), *ls[3:]],
        "data row 2 (line 3)",
        "family_id",
        "value_not_blank",
        "the value is blank",
    ),
    "missing column": (
        lambda ls: [line.split(",")[0] + "," + line.split(",")[2] for line in ls],
        "header (line 1)",
        "family_id",
        "required_columns",
        "the file needs columns geography_code, family_id",
    ),
    "two names for a family": (
        lambda ls: [*ls[:2], ls[2].replace("The north", "The far north"), *ls[3:]],
        "data row 1 (line 2)",
        "family_name",
        "one_name_per_family",
        "family 'north' has several names",
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_csv_gets_an_error_naming_file_row_column_and_rule(tmp_path, case):
    change, where, column, rule, words = MALFORMED[case]
    features = make_features()
    path = write(tmp_path, _one_change(features, change), name="my_families.csv")
    with pytest.raises(SuppliedFamiliesError) as caught:
        read_supplied_families(path, features)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert where in message and f"column {column}" in message and f"[rule {rule}]" in message and words in message
    with pytest.raises(SuppliedFamiliesError):  # and assign_families passes it on
        assign_families(features, path)


def test_a_family_mixing_hscps_and_localities_is_refused(tmp_path):
    features = pd.concat([make_features(), make_features(per_kind=5, level="locality", prefix="S99")])
    text = supplied_csv(features) + "S99000000,south,The south\n"
    with pytest.raises(SuppliedFamiliesError) as caught:
        read_supplied_families(write(tmp_path, text), features)
    assert "data row 19 (line 20), column family_id: family 'south' mixes levels: S99000000 is a locality" in str(
        caught.value
    )
    assert "[rule one_level_per_family]" in str(caught.value)


def test_features_with_an_area_twice_are_refused():
    features = make_features()
    with pytest.raises(ValueError, match=r"hscp codes repeated: \['S37000000'\]"):
        compute_families(pd.concat([features, features.head(1)]))


def _sse(points: np.ndarray, clusters: list[list[int]]) -> float:
    return float(sum(((points[c] - points[c].mean(axis=0)) ** 2).sum() for c in clusters))


def test_refine_swaps_two_areas_that_are_each_in_the_other_s_family():
    points = np.array([[0.0], [10.0], [0.1], [10.1]])
    assert sorted(refine(points, [[0, 1], [2, 3]], min_size=2, max_size=2)) == [[0, 2], [1, 3]]


def test_refine_moves_an_area_to_the_family_it_is_nearest_when_sizes_allow():
    points = np.array([[0.0], [0.1], [10.0], [10.1]])
    assert refine(points, [[0, 1, 2], [3]], min_size=1, max_size=3) == [[0, 1], [2, 3]]
    # With families of exactly 3 and 1 allowed only as they are, nothing may move.
    assert refine(points, [[0, 1, 2], [3]], min_size=3, max_size=3) == [[0, 1, 2], [3]]


def test_refine_never_raises_the_within_family_sum_of_squares_and_keeps_sizes():
    rng = np.random.default_rng(7)
    points = rng.normal(size=(40, 3))
    codes = [f"S{i:03d}" for i in range(40)]
    clusters = constrained_ward(codes, points, 5, 8)
    refined = refine(points, clusters, 5, 8)
    assert _sse(points, refined) <= _sse(points, clusters) + 1e-12
    assert sorted(i for c in refined for i in c) == list(range(40))
    assert all(5 <= len(c) <= 8 for c in refined)
    assert refine(points, refined, 5, 8) == refined  # a local optimum: nothing left to improve
