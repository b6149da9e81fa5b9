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

from conftest import REPO, TEST_YEAR, write_config
from transforms import inputs, pipeline
from transforms.archive import file_sha256
from transforms.catalogue import load_catalogue
from transforms.config import load_config
from transforms.runstate import RunState

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def published(tmp_path_factory, airflow_db, synthetic_extract):
    tmp = tmp_path_factory.mktemp("e2e")
    config_path = write_config(tmp, smr01=synthetic_extract)
    os.environ["HSCP_CONFIG"] = str(config_path)
    try:
        from airflow.dag_processing.dagbag import DagBag

        dag = DagBag(dag_folder=str(REPO / "dags")).get_dag("partnership_indicators")
        dag_run = dag.test()
    finally:
        del os.environ["HSCP_CONFIG"]
    cfg = load_config(config_path)
    return cfg, dag_run


@pytest.fixture(scope="module")
def mart(published):
    cfg, _ = published
    return pd.read_parquet(cfg.output_dir / "latest" / "emergency_admissions_per_1000.parquet")


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
    # Reference tables, the locality lookup and the restricted extracts; the optional
    # published aggregates are off in this run.
    assert len(sources) == len(inputs.REFERENCE_INPUTS) + 1 + len(inputs.RESTRICTED_EXTRACTS)
    smr01 = sources["smr01_episodes"]
    assert smr01["synthetic"] and smr01["restricted"]
    assert smr01["sha256"] == file_sha256(Path(cfg.smr01))
    assert smr01["origin"] == Path(cfg.smr01).name  # no restricted path in a publishable file
    # Indicators of optional published aggregates the run did not have are left out.
    state = RunState.load(cfg.runs_dir, dag_run.run_id)
    catalogue = [i for i in load_catalogue() if pipeline._source_supplied(i, state)]
    assert len(catalogue) < len(load_catalogue())
    assert sorted(o["file"] for o in manifest["outputs"]) == sorted(f"{i.mart}.parquet" for i in catalogue)
    for out in manifest["outputs"]:
        assert out["sha256"] == file_sha256(release / out["file"])
        assert out["rows"] == len(pd.read_parquet(release / out["file"]))
    assert manifest["locality_lookup_datazones_by_basis"] == {"illustrative": 6539, "published": 437}
    indicators = json.loads((release / "indicators.json").read_text())
    assert [i["id"] for i in indicators] == [i.id for i in catalogue]
    assert manifest["attachments"] == [{"file": "indicators.json", "sha256": file_sha256(release / "indicators.json")}]


def test_every_area_and_age_group_is_present(mart, synthetic_extract):
    age_groups = next(i for i in load_catalogue() if i.id == "emergency_admissions_per_1000").age_groups
    assert set(mart["age_group"]) == set(age_groups)
    counts = mart.groupby("geography_level")["age_group"].value_counts().unstack()
    for level, areas in {"locality": 127, "hscp": 31, "health_board": 14, "scotland": 1}.items():
        assert (counts.loc[level] == areas).all(), level
    assert set(mart["period"]) == {f"{TEST_YEAR}/{(TEST_YEAR + 1) % 100:02d}"}
    assert set(mart["period_start"].astype(str)) == {f"{TEST_YEAR}-04-01"}
    assert mart["is_synthetic"].all()
    assert mart["source_vintage"].str.endswith(file_sha256(synthetic_extract)[:16]).all()


def test_scotland_numerator_and_denominator_match_the_inputs(mart, synthetic_extract, reference_tables):
    episodes = pd.read_parquet(synthetic_extract)
    first = episodes[episodes["episode_number"] == 1]
    code = first["admission_type"].astype(int)
    emergency = first[code.between(20, 22) | code.between(30, 39)]
    pop = reference_tables.hscp_population.query("year == @TEST_YEAR")
    scot = mart[mart["geography_level"] == "scotland"].set_index("age_group")
    assert scot.loc["All ages", "numerator"] == len(emergency)
    assert scot.loc["65+", "numerator"] == (emergency["age_at_admission"] >= 65).sum()
    assert scot.loc["All ages", "denominator"] == pop["population"].sum()
    assert scot.loc["65+", "denominator"] == pop.query("age >= 65")["population"].sum()


def _emergency_stays(extract):
    episodes = pd.read_parquet(extract)
    stay_end = episodes.groupby("cis_id")["discharge_date"].max()
    first = episodes[episodes["episode_number"] == 1]
    code = first["admission_type"].astype(int)
    stays = first[code.between(20, 22) | code.between(30, 39)].copy()
    stays["bed_days"] = (stays["cis_id"].map(stay_end) - stays["admission_date"]).dt.days
    return stays


def test_bed_days_and_occupied_beds_match_the_extract(published, synthetic_extract):
    cfg, _ = published
    latest = cfg.output_dir / "latest"
    bed_days = pd.read_parquet(latest / "emergency_bed_days_per_1000.parquet")
    beds = pd.read_parquet(latest / "average_occupied_beds_emergency.parquet")
    stays = _emergency_stays(synthetic_extract)
    scot = bed_days[(bed_days["geography_level"] == "scotland")].set_index("age_group")
    assert scot.loc["All ages", "numerator"] == stays["bed_days"].sum()
    assert scot.loc["75+", "numerator"] == stays.loc[stays["age_at_admission"] >= 75, "bed_days"].sum()
    assert bed_days["ci95_lower"].isna().all()  # bed days get no Poisson interval
    days = 366 if (TEST_YEAR + 1) % 4 == 0 else 365
    merged = beds.merge(bed_days, on=["period", "geography_code", "age_group"], suffixes=("", "_bd"))
    assert len(merged) == len(beds) == len(bed_days)
    assert (merged["denominator"] == days).all()
    assert ((merged["value"] - merged["numerator_bd"] / days).abs() < 1e-9).all()


def test_levels_reconcile(mart):
    for child, parent_col, parent in (("locality", "hscp2019", "hscp"), ("hscp", "hb2019", "health_board")):
        sums = mart[mart["geography_level"] == child].groupby(["age_group", parent_col])[
            ["numerator", "denominator"]].sum()
        parents = mart[mart["geography_level"] == parent].set_index(["age_group", "geography_code"])[
            ["numerator", "denominator"]]
        parents.index.names = sums.index.names
        pd.testing.assert_frame_equal(sums.sort_index(), parents.sort_index(), check_dtype=False)


def test_rates_and_intervals_are_consistent(mart):
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
    assert mart.loc[mart["geography_level"] != "locality", "locality_lookup_basis"].isna().all()
