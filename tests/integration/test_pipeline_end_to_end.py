"""The whole pipeline through Airflow, checked against the inputs it was given.

One financial year of synthetic SMR01 data keeps the run short; everything else
(geography, populations, localities) is the real committed snapshot.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from tests.support import TEST_YEAR, write_config
from transforms import inputs, pipeline
from transforms.archive import file_sha256
from transforms.catalogue import load_catalogue
from transforms.config import REPO_ROOT, load_config
from transforms.publish import contents
from transforms.runstate import RunState

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def published(tmp_path_factory, airflow_db):
    tmp = tmp_path_factory.mktemp("e2e")
    config_path = write_config(tmp)
    os.environ["HSCP_CONFIG"] = str(config_path)
    try:
        from airflow.dag_processing.dagbag import DagBag

        dag = DagBag(dag_folder=str(REPO_ROOT / "dags")).get_dag("partnership_indicators")
        dag_run = dag.test()
    finally:
        del os.environ["HSCP_CONFIG"]
    cfg = load_config(config_path)
    return cfg, dag_run


def _built_mart(published, name: str) -> pd.DataFrame:
    """A mart as dbt built it, every level included (the release withholds some and suppresses others)."""
    cfg, dag_run = published
    return pd.read_parquet(pipeline.run_dir(cfg, dag_run.run_id) / "marts" / f"{name}.parquet")


@pytest.fixture(scope="module")
def mart(published):
    return _built_mart(published, "emergency_admissions_per_1000")


def test_dag_run_succeeds_and_latest_points_at_the_release(published):
    cfg, dag_run = published
    assert dag_run.state == "success"
    state = RunState.load(cfg.runs_dir, dag_run.run_id)
    release = cfg.releases_dir / state.release_id
    assert (cfg.output_dir / "latest").resolve() == release.resolve()
    assert (cfg.output_dir / "LATEST").read_text().strip() == state.release_id
    assert not list(cfg.releases_dir.glob(".tmp-*"))


def test_manifest_records_inputs_outputs_and_the_synthetic_flag(published):
    cfg, dag_run = published
    release = (cfg.output_dir / "latest").resolve()
    manifest = json.loads((release / "manifest.json").read_text())
    assert manifest["synthetic"] is True and "SYNTHETIC" in manifest["notice"]
    assert (release / "SYNTHETIC_DATA.txt").exists()
    sources = {i["source"]: i for i in manifest["inputs"]}
    # Every reference input, the lookup and the four record-level extracts; the
    # optional published aggregates are switched off in the test configuration.
    assert set(sources) == {*inputs.REFERENCE_INPUTS, inputs.LOCALITY_LOOKUP, *inputs.RESTRICTED_EXTRACTS}
    smr01 = sources["smr01_episodes"]
    assert smr01["synthetic"] and smr01["restricted"]
    assert smr01["sha256"] == file_sha256(Path(cfg.smr01))
    assert smr01["origin"] == Path(cfg.smr01).name  # no restricted path in a publishable file
    # Indicators of optional published aggregates the run did not have are left out;
    # one part per indicator and published level; data zones are withheld (docs/outputs.md).
    state = RunState.load(cfg.runs_dir, dag_run.run_id)
    catalogue = contents.supplied_indicators(load_catalogue(), state)
    assert len(catalogue) < len(load_catalogue())
    indicator_parts = [o["file"] for o in manifest["outputs"] if o["file"].startswith("indicators/")]
    assert sorted(indicator_parts) == sorted(
        f"indicators/geography_level={level}/indicator_id={i.id}/part-0.parquet"
        for i in catalogue
        for level in set(i.geography_levels) - {"datazone"}
    )
    # and the comparison datasets, the peer families, the summaries and the revisions (docs/outputs.md)
    others = {o["file"].split("/")[0] for o in manifest["outputs"]} - {"indicators"}
    assert others == {
        *contents.COMPARISON_DATASETS,
        contents.PEER_FAMILIES,
        f"{contents.COMPARISON_SUMMARIES}.parquet",
        "revisions.parquet",
        "revision_summaries.parquet",
    }
    for out in manifest["outputs"]:
        assert out["sha256"] == file_sha256(release / out["file"])
        assert out["rows"] == len(pd.read_parquet(release / out["file"]))
    assert manifest["locality_lookup_datazones_by_basis"] == {"illustrative": 6539, "published": 437}
    indicators = json.loads((release / "indicators.json").read_text())
    assert [i["id"] for i in indicators] == [i.id for i in catalogue]
    assert manifest["attachments"] == [{"file": "indicators.json", "sha256": file_sha256(release / "indicators.json")}]


def _areas_by_level(reference_tables) -> dict[str, int]:
    """How many areas each level has, counted from the reference files the run was given."""
    geo = reference_tables.geography
    localities = pd.read_csv(REPO_ROOT / "reference" / "hscp_localities.csv")
    return {
        "datazone": geo["datazone2011"].nunique(),
        "intzone": geo["intzone2011"].nunique(),
        "locality": len(localities),
        "hscp": geo["hscp2019"].nunique(),
        "health_board": geo["hb2019"].nunique(),
        "scotland": 1,
    }


def _simd_cells_by_level(reference_tables) -> dict[str, int]:
    """(area, quintile) pairs with at least one data zone, per level that has SIMD rows."""
    geo = reference_tables.geography.merge(reference_tables.simd, on="datazone2011", validate="one_to_one")
    geo["scotland"] = "S92000003"
    return {
        level: len(geo[[column, "simd2020v2_sc_quintile"]].drop_duplicates())
        for level, column in (("hscp", "hscp2019"), ("health_board", "hb2019"), ("scotland", "scotland"))
    }


def test_every_area_and_age_group_is_present(mart, small_extract, reference_tables):
    age_groups = next(i for i in load_catalogue() if i.id == "emergency_admissions_per_1000").age_groups
    assert set(mart["age_group"]) == set(age_groups)
    whole = mart[mart["simd_quintile"] == "all"]
    counts = whole.groupby("geography_level")["age_group"].value_counts().unstack()
    expected = _areas_by_level(reference_tables)
    assert set(counts.index) == set(expected)
    for level, areas in expected.items():
        assert (counts.loc[level] == areas).all(), level
    by_quintile = mart[mart["simd_quintile"] != "all"]
    counts = by_quintile.groupby("geography_level")["age_group"].value_counts().unstack()
    cells = _simd_cells_by_level(reference_tables)
    assert set(counts.index) == set(cells)  # no quintile rows at data zone, intzone or locality level
    for level, n in cells.items():
        assert (counts.loc[level] == n).all(), level
    assert set(by_quintile["simd_quintile"]) == {"1", "2", "3", "4", "5"}
    assert set(mart["period"]) == {f"{TEST_YEAR}/{(TEST_YEAR + 1) % 100:02d}"}
    assert set(mart["period_start"].astype(str)) == {f"{TEST_YEAR}-04-01"}
    assert mart["is_synthetic"].all()
    assert mart["source_vintage"].str.endswith(file_sha256(small_extract)[:16]).all()


def test_datazones_have_counts_only(mart):
    dz = mart[mart["geography_level"] == "datazone"]
    assert dz[["numerator", "denominator"]].notna().all().all()
    value_columns = ["value", "ci95_lower", "ci95_upper", "ci998_lower", "ci998_upper", "compared_with_scotland_95"]
    assert dz[value_columns].isna().all().all()
    assert (dz["quality_marker"] == "z").all()
    rated = mart[mart["geography_level"] != "datazone"]
    assert rated["value"].notna().all()  # no area above a data zone has an empty population here
    assert rated["quality_marker"].isna().all()


def test_scotland_numerator_and_denominator_match_the_inputs(mart, small_extract, reference_tables):
    episodes = pd.read_parquet(small_extract)
    first = episodes[episodes["episode_number"] == 1]
    code = first["admission_type"].astype(int)
    emergency = first[code.between(20, 22) | code.between(30, 39)]
    pop = reference_tables.hscp_population.query("year == @TEST_YEAR")
    scot = mart[(mart["geography_level"] == "scotland") & (mart["simd_quintile"] == "all")].set_index("age_group")
    assert scot.loc["All ages", "numerator"] == len(emergency)
    assert scot.loc["65+", "numerator"] == (emergency["age_at_admission"] >= 65).sum()
    assert scot.loc["All ages", "denominator"] == pop["population"].sum()
    assert scot.loc["65+", "denominator"] == pop.query("age >= 65")["population"].sum()


def test_scotland_quintile_numerators_match_the_inputs(mart, small_extract, reference_tables):
    stays = _emergency_stays(small_extract).merge(reference_tables.simd, on="datazone2011", how="left")
    assert stays["simd2020v2_sc_quintile"].notna().all()
    expected = stays["simd2020v2_sc_quintile"].astype(str).value_counts().sort_index()
    scot = (
        mart[
            (mart["geography_level"] == "scotland")
            & (mart["simd_quintile"] != "all")
            & (mart["age_group"] == "All ages")
        ]
        .set_index("simd_quintile")["numerator"]
        .sort_index()
    )
    assert scot.to_dict() == expected.to_dict()


def _emergency_stays(extract):
    episodes = pd.read_parquet(extract)
    stay_end = episodes.groupby("cis_id")["discharge_date"].max()
    first = episodes[episodes["episode_number"] == 1]
    code = first["admission_type"].astype(int)
    stays = first[code.between(20, 22) | code.between(30, 39)].copy()
    stays["bed_days"] = (stays["cis_id"].map(stay_end) - stays["admission_date"]).dt.days
    return stays


def test_bed_days_and_occupied_beds_match_the_extract(published, small_extract):
    bed_days = _built_mart(published, "emergency_bed_days_per_1000")
    beds = _built_mart(published, "average_occupied_beds_emergency")
    stays = _emergency_stays(small_extract)
    scot = bed_days[(bed_days["geography_level"] == "scotland") & (bed_days["simd_quintile"] == "all")].set_index(
        "age_group"
    )
    assert scot.loc["All ages", "numerator"] == stays["bed_days"].sum()
    assert scot.loc["75+", "numerator"] == stays.loc[stays["age_at_admission"] >= 75, "bed_days"].sum()
    assert bed_days["ci95_lower"].isna().all()  # bed days get no Poisson interval
    days = 366 if (TEST_YEAR + 1) % 4 == 0 else 365
    key = ["period", "geography_level", "geography_code", "simd_quintile", "sex", "age_group"]
    merged = beds.merge(bed_days, on=key, suffixes=("", "_bd"), validate="one_to_one")
    assert len(merged) == len(beds) == len(bed_days)
    assert (merged["denominator"] == days).all()
    rated = merged[merged["geography_level"] != "datazone"]
    assert ((rated["value"] - rated["numerator_bd"] / days).abs() < 1e-9).all()
    assert merged.loc[merged["geography_level"] == "datazone", "value"].isna().all()


def test_levels_reconcile(mart):
    whole = mart[mart["simd_quintile"] == "all"]
    # Intermediate zones need not nest in localities, so the two are separate paths to the HSCP.
    for child, parent_col, parent in (
        ("datazone", "intzone2011", "intzone"),
        ("datazone", "locality_code", "locality"),
        ("intzone", "hscp2019", "hscp"),
        ("locality", "hscp2019", "hscp"),
        ("hscp", "hb2019", "health_board"),
    ):
        sums = (
            whole[whole["geography_level"] == child]
            .groupby(["age_group", parent_col])[["numerator", "denominator"]]
            .sum()
        )
        parents = whole[whole["geography_level"] == parent].set_index(["age_group", "geography_code"])[
            ["numerator", "denominator"]
        ]
        parents.index.names = sums.index.names
        pd.testing.assert_frame_equal(sums.sort_index(), parents.sort_index(), check_dtype=False, obj=child)


def test_quintile_rows_add_to_the_area(mart):
    key = ["geography_level", "geography_code", "age_group"]
    quintiles = mart[mart["simd_quintile"] != "all"]
    sums = quintiles.groupby(key)[["numerator", "denominator"]].sum().sort_index()
    whole = mart[(mart["simd_quintile"] == "all") & mart["geography_level"].isin(quintiles["geography_level"])]
    pd.testing.assert_frame_equal(
        sums, whole.set_index(key)[["numerator", "denominator"]].sort_index(), check_dtype=False
    )


def test_quintile_rows_are_compared_with_the_same_scotland_quintile(mart):
    scotland = mart[mart["geography_level"] == "scotland"].set_index(["age_group", "simd_quintile"])["value"]
    rows = mart.join(scotland.rename("expected"), on=["age_group", "simd_quintile"])
    assert rows["expected"].notna().all()
    assert ((rows["scotland_value"] - rows["expected"]).abs() < 1e-12).all()


def test_rates_and_intervals_are_consistent(mart):
    mart = mart[mart["geography_level"] != "datazone"]  # counts only there
    assert ((mart["value"] - 1000 * mart["numerator"] / mart["denominator"]).abs() < 1e-9).all()
    assert (mart["ci95_lower"] <= mart["value"]).all()
    assert (mart["value"] <= mart["ci95_upper"]).all()
    assert (mart["ci998_lower"] <= mart["ci95_lower"]).all()
    assert (mart["ci998_upper"] >= mart["ci95_upper"]).all()
    higher = mart[mart["compared_with_scotland_95"] == "higher"]
    assert (higher["ci95_lower"] > higher["scotland_value"]).all()
    lower = mart[mart["compared_with_scotland_95"] == "lower"]
    assert (lower["ci95_upper"] < lower["scotland_value"]).all()


def test_illustrative_localities_are_labelled(mart):
    loc = mart[mart["geography_level"] == "locality"]
    highland = loc[loc["hscp2019"].isin(["S37000016", "S37000004"])]
    assert set(highland["locality_lookup_basis"]) == {"published"}
    assert set(loc.drop(highland.index)["locality_lookup_basis"]) == {"illustrative"}
    # A data zone row carries the basis of its own line of the lookup.
    lookup = pd.read_csv(REPO_ROOT / "reference" / "locality_lookup_demo.csv").set_index("datazone2011")["lookup_basis"]
    dz = mart[mart["geography_level"] == "datazone"]
    assert (dz["locality_lookup_basis"] == dz["geography_code"].map(lookup)).all()
    assert mart.loc[~mart["geography_level"].isin(["locality", "datazone"]), "locality_lookup_basis"].isna().all()
