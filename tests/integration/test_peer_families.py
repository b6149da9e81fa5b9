"""Peer families on the real features: the model peer_family_features of the shared pipeline run.

The features come from public reference inputs only (population, SIMD 2020v2, the
urban-rural classification and the locality lookup), so they are real even though
the run's extracts are synthetic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from transforms.compare.families import FEATURES, MAX_SIZE, MIN_SIZE, assign_families, compute_families
from transforms.config import REPO_ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def features(indicator_run) -> pd.DataFrame:
    _, _, marts = indicator_run
    return pd.read_parquet(marts / "peer_family_features.parquet")


def _mart(marts, name: str) -> pd.DataFrame:
    frame = pd.read_parquet(marts / f"{name}.parquet")
    return frame[frame["geography_level"].isin(["hscp", "locality"]) & (frame["simd_quintile"] == "all")]


def test_one_row_per_hscp_and_per_locality_of_the_lookup_for_the_last_year(indicator_run, features):
    cfg, _, _ = indicator_run
    lookup = pd.read_csv(cfg.locality_lookup, dtype=str)
    assert features["geography_level"].value_counts().to_dict() == {
        "locality": lookup["hscp_locality"].nunique(),
        "hscp": 31,
    }
    assert lookup["hscp_locality"].nunique() == 127
    year = cfg.period.last_financial_year
    assert set(features["period"]) == {f"{year}/{(year + 1) % 100:02d}"}
    assert not features["is_synthetic"].any()  # public reference inputs only
    assert "smr01" not in features["source_vintage"].iloc[0]


def test_the_age_and_deprivation_shares_are_those_of_the_context_marts(indicator_run, features):
    _, _, marts = indicator_run
    keyed = features.set_index(["geography_level", "geography_code"])
    last = features["period"].iloc[0]
    for mart, age_group, column in (
        ("population_65_plus_percent", "65+", "percent_65_plus"),
        ("population_65_plus_percent", "75+", "percent_75_plus"),
        ("simd_most_deprived_quintile_population_percent", "All ages", "percent_simd_quintile_1"),
    ):
        rows = _mart(marts, mart)
        rows = rows[(rows["period"] == last) & (rows["age_group"] == age_group)]
        rows = rows.set_index(["geography_level", "geography_code"]).loc[keyed.index]
        assert np.allclose(rows["value"], keyed[column], rtol=0, atol=1e-9), column
        assert (rows["denominator"] == keyed["population"]).all(), column


def test_the_urban_and_rural_shares_weight_each_data_zone_class_by_its_people(indicator_run, features):
    _, _, marts = indicator_run
    # the data zone rows of the 65+ mart carry each data zone's all-ages population
    rows = pd.read_parquet(marts / "population_65_plus_percent.parquet")
    rows = rows[
        (rows["geography_level"] == "datazone")
        & (rows["period"] == features["period"].iloc[0])
        & (rows["age_group"] == "65+")
        & (rows["simd_quintile"] == "all")
    ]
    spine = rows.rename(columns={"geography_code": "datazone2011", "denominator": "population"})
    classes = pd.read_parquet(REPO_ROOT / "reference" / "urban_rural_dz2011.parquet")
    zones = spine.merge(classes, on="datazone2011", validate="1:1")
    assert len(zones) == 6976
    by_hscp = zones.groupby("hscp2019").apply(
        lambda g: pd.Series(
            {
                "percent_urban": 100 * g.loc[g["urban_rural_6fold"] <= 2, "population"].sum() / g["population"].sum(),
                "percent_rural": 100 * g.loc[g["urban_rural_6fold"] >= 5, "population"].sum() / g["population"].sum(),
            }
        ),
        include_groups=False,
    )
    hscp = features[features["geography_level"] == "hscp"].set_index("geography_code").loc[by_hscp.index]
    assert np.allclose(hscp[["percent_urban", "percent_rural"]], by_hscp, rtol=0, atol=1e-9)
    # the three island HSCPs have no urban data zone (6-fold 1-2), Glasgow almost no rural one
    islands = hscp.loc[["S37000022", "S37000026", "S37000031"], "percent_urban"]
    assert (islands == 0).all() and hscp.loc["S37000034", "percent_rural"] < 1


def test_the_families_are_the_same_twice(features):
    pd.testing.assert_frame_equal(assign_families(features), assign_families(features))


def test_every_family_holds_five_to_eight_areas(features):
    families = compute_families(features)
    assert families["method"].str.startswith("computed: constrained Ward").all()
    assert not families["method"].str.contains("over|under").any()  # no merge beyond the size rules
    for level in ("hscp", "locality"):
        sizes = families[families["geography_level"] == level].groupby("family_id").size()
        assert sizes.between(MIN_SIZE, MAX_SIZE).all(), sizes[~sizes.between(MIN_SIZE, MAX_SIZE)].to_dict()


def _partition(features: pd.DataFrame) -> dict[str, str]:
    families = compute_families(features)
    return dict(zip(families["geography_code"], families["family_id"], strict=True))


def test_a_one_percent_change_in_one_feature_of_one_hscp_changes_no_family(features):
    hscp = features[features["geography_level"] == "hscp"].astype({"population": "float64"}).reset_index(drop=True)
    before = _partition(hscp)
    changed = []
    for row in range(len(hscp)):
        for feature in FEATURES:
            for factor in (1.01, 0.99):
                perturbed = hscp.copy()
                perturbed.loc[row, feature] *= factor
                if _partition(perturbed) != before:
                    changed.append((hscp.at[row, "geography_name"], feature, factor))
    assert changed == [], f"families changed by a 1 % change of: {changed}"


def test_the_island_partnerships_are_in_a_rural_family_not_with_the_cities(features):
    """Agglomeration alone merges the islands last, into the one family with room (the deprived cities);
    the refinement moves them to the family they are nearest (docs/methods/peer_families.md)."""
    table = assign_families(features)
    hscp = table[table["geography_level"] == "hscp"].set_index("geography_code")
    islands = hscp.loc[["S37000022", "S37000026", "S37000031"], "family_id"]
    assert islands.nunique() == 1
    family = hscp[hscp["family_id"] == islands.iloc[0]]
    assert (family["percent_rural"] >= 40).all() and (family["percent_urban"] < 50).all()
    assert "S37000034" not in family.index  # Glasgow City
