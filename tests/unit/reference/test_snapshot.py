"""The committed reference snapshot is exactly what the snapshot code derives."""

import pandas as pd
import pytest

from tests.support import SHARED_DATA
from transforms.archive import file_sha256
from transforms.config import REPO_ROOT
from transforms.reference import snapshot

needs_shared = pytest.mark.skipif(
    not (SHARED_DATA / "SOURCES.md").exists(), reason="../shared/data is not beside this clone"
)


@pytest.fixture(scope="module")
def derived():
    return snapshot.derive(SHARED_DATA)


def _committed(name):
    path = REPO_ROOT / "reference" / name
    return pd.read_parquet(path) if name.endswith(".parquet") else pd.read_csv(path, dtype=str, keep_default_na=False)


@needs_shared
def test_committed_snapshot_equals_a_fresh_derivation(derived):
    for name, frame in derived.items():
        committed = _committed(name)
        if name.endswith(".csv"):
            frame = frame.astype(str)
        pd.testing.assert_frame_equal(committed, frame, check_dtype=name.endswith(".parquet"), obj=name)


@needs_shared
def test_source_checksums_are_recorded():
    import json

    meta = json.loads((REPO_ROOT / "reference" / "SNAPSHOT.json").read_text())
    for source in meta["sources"].values():
        assert file_sha256(SHARED_DATA / source["file"]) == source["sha256"], source["file"]


def test_code_changes_map_the_2018_and_2019_hscp_codes():
    changes = _committed("geography_code_changes.csv")
    hscp = dict(changes.query("geography_level == 'hscp'")[["old_code", "new_code"]].values)
    assert hscp == {
        "S37000014": "S37000032",
        "S37000023": "S37000033",
        "S37000015": "S37000034",
        "S37000021": "S37000035",
    }


def test_geography_has_31_hscps_over_32_council_areas():
    geo = _committed("geography_dz2011.parquet")
    assert geo["datazone2011"].nunique() == 6976
    assert geo["hscp2019"].nunique() == 31 and geo["ca2019"].nunique() == 32
    assert geo["hb2019"].nunique() == 14
    clacks = geo[geo["hscp2019_name"] == "Clackmannanshire and Stirling"]
    assert set(clacks["ca2019_name"]) == {"Clackmannanshire", "Stirling"}


def test_population_snapshot_keeps_only_area_rows_by_sex():
    pop = _committed("hscp_population_estimates.parquet")
    assert set(pop["sex"]) == {"M", "F"} and "S92000003" not in set(pop["hscp2019"])
    assert pop["year"].min() == 1981 and pop["year"].max() == 2023
    # NRS mid-2023 Scotland estimate, as given in SOURCES.md for hscp_pop_est.csv
    assert pop.query("year == 2023")["population"].sum() == 5_490_100


def test_demo_lookup_covers_every_datazone_and_labels_its_basis():
    lookup = _committed("locality_lookup_demo.csv")
    assert lookup["datazone2011"].is_unique and len(lookup) == 6976
    assert lookup["hscp_locality"].nunique() == 127
    published = lookup[lookup["lookup_basis"] == "published"]
    assert set(published["hscp2019"]) == {"S37000016", "S37000004"}  # Highland, Argyll and Bute
    assert len(published) == 437
    assert set(lookup["lookup_basis"]) == {"published", "illustrative"}


def test_urban_rural_snapshot_has_every_datazone_with_the_published_class_counts():
    # Data zones per class of the SG Urban Rural Classification 2020, as counted in
    # ../shared/data/SOURCES.md (section datazone2011_urban_rural_2020.csv).
    urban_rural = _committed("urban_rural_dz2011.parquet")
    geo = _committed("geography_dz2011.parquet")
    assert set(urban_rural["datazone2011"]) == set(geo["datazone2011"]) and urban_rural["datazone2011"].is_unique
    counts = {
        "urban_rural_8fold": [2496, 2459, 613, 104, 98, 805, 197, 204],
        "urban_rural_6fold": [2496, 2459, 613, 202, 805, 401],
        "urban_rural_3fold": [5770, 805, 401],
        "urban_rural_2fold": [5770, 1206],
    }
    for column, expected in counts.items():
        assert urban_rural[column].value_counts().sort_index().tolist() == expected, column
