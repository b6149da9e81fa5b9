"""Population context indicators and the published admissions-by-deprivation mart,
checked against the reference tables and the published file, recomputed in pandas.

One pipeline run (without Airflow) serves the module. The published file is the
copy in ../shared/data; without it the tests of that mart are skipped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.support import INDICATOR_RUN_ID, SHARED_DATA, TEST_YEAR
from transforms import pipeline
from transforms.catalogue import load_catalogue
from transforms.publish import contents
from transforms.runstate import RunState

pytestmark = pytest.mark.slow

ADMISSIONS = SHARED_DATA / "hospital_admissions_hscp_simd_20230706.csv"
needs_admissions = pytest.mark.skipif(
    not ADMISSIONS.exists(), reason=f"published aggregate {ADMISSIONS} is not beside this clone"
)
PERIOD = f"{TEST_YEAR}/{(TEST_YEAR + 1) % 100:02d}"


@pytest.fixture(scope="module")
def run(indicator_run):
    cfg, state, _ = indicator_run
    return cfg, state


def _mart(run, name: str) -> pd.DataFrame:
    cfg, _ = run
    return pd.read_parquet(pipeline.run_dir(cfg, INDICATOR_RUN_ID) / "marts" / f"{name}.parquet")


def _scotland(mart: pd.DataFrame, key: str) -> pd.DataFrame:
    return mart[mart["geography_level"] == "scotland"].set_index(key)


def _exact_datazone_population(ref, year: int) -> pd.DataFrame:
    """Each data zone's mid-2021 share of its HSCP's people of a sex and age, times the
    HSCP estimate of `year`, unrounded (the model rounds, so compare with a tolerance)."""
    dz = ref.datazone_population.merge(ref.geography[["datazone2011", "hscp2019"]], on="datazone2011")
    est = ref.hscp_population.query("year == @year")[["hscp2019", "sex", "age", "population"]]
    dz = dz.merge(est, on=["hscp2019", "sex", "age"], suffixes=("_2021", "_hscp"))
    group_total = dz.groupby(["hscp2019", "sex", "age"])["population_2021"].transform("sum")
    share = dz["population_2021"] / group_total.where(group_total > 0)
    dz["population"] = (share * dz["population_hscp"]).fillna(0.0)
    return dz.merge(ref.simd[["datazone2011", "simd2020v2_sc_quintile"]], on="datazone2011")


def test_context_marts_are_published_with_their_catalogue_entries(run):
    cfg, _ = run
    release = pipeline.run_dir(cfg, INDICATOR_RUN_ID) / "marts"
    ids = {i.id for i in load_catalogue()}
    for name in (
        "population_65_plus_percent",
        "simd_most_deprived_quintile_population_percent",
        "simd_quintile_population_percent",
    ):
        assert name in ids and (release / f"{name}.parquet").exists()
        mart = _mart(run, name)
        assert set(mart["period"]) == {PERIOD}
        assert set(mart["geography_level"]) >= {"locality", "hscp", "health_board", "scotland"}
        assert "datazone" not in set(mart["geography_level"]) or name == "population_65_plus_percent"
        assert (mart["method"] == "percentage").all() and (mart["multiplier"] == 100).all()
        assert mart[["ci95_lower", "ci95_upper", "ci998_lower", "ci998_upper"]].isna().all().all()
        assert mart.loc[mart["geography_level"] != "scotland", "compared_with_scotland_95"].isna().all()
        assert not mart["is_synthetic"].any()  # reference data only


def test_population_65_plus_matches_the_hscp_estimates(run, reference_tables):
    _, state = run
    mart = _mart(run, "population_65_plus_percent")
    mart = mart[mart["simd_quintile"] == "all"]  # the quintile rows are shares within each quintile
    pop = reference_tables.hscp_population.query("year == @TEST_YEAR")
    scot = _scotland(mart, "age_group")
    assert set(scot.index) == {"65+", "75+"}
    for group, min_age in (("65+", 65), ("75+", 75)):
        assert scot.loc[group, "numerator"] == pop.loc[pop["age"] >= min_age, "population"].sum()
        assert scot.loc[group, "denominator"] == pop["population"].sum()
        assert scot.loc[group, "value"] == pytest.approx(
            100 * pop.loc[pop["age"] >= min_age, "population"].sum() / pop["population"].sum()
        )
    # HSCP figures are the NRS estimates themselves (no scaling error at that level).
    hscp = mart[(mart["geography_level"] == "hscp") & (mart["age_group"] == "65+")].set_index("geography_code")
    expected = pop[pop["age"] >= 65].groupby("hscp2019")["population"].sum()
    pd.testing.assert_series_equal(
        hscp["numerator"].sort_index(), expected.sort_index(), check_names=False, check_dtype=False
    )
    vintages = dict(part.split(":") for part in mart["source_vintage"].iloc[0].split(";"))
    assert vintages == {
        name: state.inputs[name].vintage for name in ("hscp_population_estimates", "datazone_population_2021")
    }


def test_simd_population_shares_match_the_reference(run, reference_tables):
    share_q1 = _mart(run, "simd_most_deprived_quintile_population_percent")
    shares = _mart(run, "simd_quintile_population_percent")
    exact = _exact_datazone_population(reference_tables, TEST_YEAR)
    total = reference_tables.hscp_population.query("year == @TEST_YEAR")["population"].sum()

    scot = _scotland(shares, "simd_quintile")
    assert sorted(scot.index) == ["1", "2", "3", "4", "5"]
    assert (scot["denominator"] == total).all() and scot["numerator"].sum() == total
    by_quintile = exact.groupby("simd2020v2_sc_quintile")["population"].sum()
    # The model's largest-remainder rounding breaks ties by data-zone code, and nearly
    # every cell ties with another, so it moves people between quintiles (0.12% of
    # quintile 1 for 2022): compare with the unrounded shares within 0.2%.
    for q in range(1, 6):
        assert scot.loc[str(q), "numerator"] == pytest.approx(by_quintile[q], rel=2e-3)
    q1 = _scotland(share_q1, "simd_quintile").loc["all"]
    assert q1["numerator"] == scot.loc["1", "numerator"] and q1["denominator"] == total

    # HSCP shares of quintile 1, and the headline mart equals the quintile-1 rows.
    hscp_q1 = (
        exact[exact["simd2020v2_sc_quintile"] == 1].groupby("hscp2019")["population"].sum()
        / exact.groupby("hscp2019")["population"].sum()
        * 100
    ).fillna(0)
    mart_hscp = share_q1[share_q1["geography_level"] == "hscp"].set_index("geography_code")["value"]
    assert (mart_hscp - hscp_q1.reindex(mart_hscp.index).fillna(0)).abs().max() < 0.5  # points
    merged = share_q1.merge(
        shares[shares["simd_quintile"] == "1"], on=["period", "geography_level", "geography_code"], suffixes=("", "_q")
    )
    assert len(merged) == len(share_q1)
    assert (merged["numerator"] == merged["numerator_q"]).all()
    assert (merged["denominator"] == merged["denominator_q"]).all()
    # The five quintile rows of every area add to 100.
    sums = shares.groupby(["geography_level", "geography_code"])["value"].sum()
    assert np.allclose(sums, 100)


def _published_emergency(year: int) -> pd.DataFrame:
    raw = pd.read_csv(ADMISSIONS, dtype={"WeekEnding": str, "HSCP": str, "AdmissionTypeQF": str})
    raw["week_ending"] = pd.to_datetime(raw["WeekEnding"], format="%Y%m%d")
    raw["financial_year"] = raw["week_ending"].dt.year - (raw["week_ending"].dt.month < 4)
    weeks = raw.loc[raw["financial_year"] == year, "week_ending"].drop_duplicates()
    # The year's weeks are all in the file: first and last within a week of its ends, no gap.
    assert weeks.min() < pd.Timestamp(year, 4, 1) + pd.Timedelta(days=7)
    assert weeks.max() > pd.Timestamp(year + 1, 3, 31) - pd.Timedelta(days=7)
    assert len(weeks) == (weeks.max() - weeks.min()).days // 7 + 1
    return raw[(raw["financial_year"] == year) & (raw["AdmissionType"] == "Emergency")], len(weeks)


@needs_admissions
def test_published_admissions_scotland_matches_the_file(run, reference_tables):
    mart = _mart(run, "emergency_admissions_by_simd_published")
    emergency, _ = _published_emergency(TEST_YEAR)
    assert set(mart["period"]) == {PERIOD}
    scot = _scotland(mart, "simd_quintile")
    assert scot.loc["all", "numerator"] == emergency["NumberAdmissions"].sum()
    by_quintile = emergency.groupby("SIMDQuintile")["NumberAdmissions"].sum()
    for q in range(1, 6):
        assert scot.loc[str(q), "numerator"] == by_quintile[q]
    total = reference_tables.hscp_population.query("year == @TEST_YEAR")["population"].sum()
    assert scot.loc["all", "denominator"] == total
    exact = _exact_datazone_population(reference_tables, TEST_YEAR)
    pop_q = exact.groupby("simd2020v2_sc_quintile")["population"].sum()
    for q in range(1, 6):
        assert scot.loc[str(q), "denominator"] == pytest.approx(pop_q[q], rel=2e-3)  # rounding, as above
    # HSCP totals over all quintiles equal the file's.
    hscp = mart[(mart["geography_level"] == "hscp") & (mart["simd_quintile"] == "all")]
    expected = emergency.groupby("HSCP")["NumberAdmissions"].sum()
    got = hscp.set_index("geography_code")["numerator"]
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(), check_names=False, check_dtype=False)
    assert not mart["is_synthetic"].any()
    _, state = run
    assert (mart["source_vintage"] == state.inputs["public_admissions_hscp_simd"].vintage).all()


@needs_admissions
def test_rows_with_absent_cells_are_marked_incomplete(run, reference_tables):
    mart = _mart(run, "emergency_admissions_by_simd_published")
    emergency, weeks = _published_emergency(TEST_YEAR)
    # HSCP x quintile cells that have residents: the others are structural zeros.
    lived_in = (
        reference_tables.geography[["datazone2011", "hscp2019"]]
        .merge(reference_tables.simd, on="datazone2011")[["hscp2019", "simd2020v2_sc_quintile"]]
        .drop_duplicates()
    )
    published = emergency.groupby(["HSCP", "SIMDQuintile"])["WeekEnding"].nunique()
    lived_in["weeks"] = [
        published.get((h, q), 0) for h, q in lived_in[["hscp2019", "simd2020v2_sc_quintile"]].itertuples(index=False)
    ]
    incomplete = lived_in[lived_in["weeks"] < weeks]
    assert len(incomplete) > 0  # the file does leave cells out
    hscp = mart[(mart["geography_level"] == "hscp") & (mart["simd_quintile"] != "all")]
    assert len(hscp) == len(lived_in)  # no row for a HSCP x quintile nobody lives in
    flagged = hscp.loc[hscp["quality_marker"] == "y", ["geography_code", "simd_quintile"]]
    assert set(map(tuple, flagged.to_numpy())) == {
        (h, str(q)) for h, q in incomplete[["hscp2019", "simd2020v2_sc_quintile"]].to_numpy()
    }
    assert set(mart["quality_marker"].dropna()) == {"y"}
    # A parent is incomplete exactly when one of its HSCP x quintile cells is.
    hscp_flag = hscp.assign(flag=hscp["quality_marker"].notna())
    board = hscp_flag.groupby(["hb2019", "simd_quintile"])["flag"].any()
    boards = mart[(mart["geography_level"] == "health_board") & (mart["simd_quintile"] != "all")]
    got = boards.set_index(["geography_code", "simd_quintile"])["quality_marker"].notna()
    assert (got.sort_index().to_numpy() == board.sort_index().to_numpy()).all()


@needs_admissions
def test_published_rates_and_intervals_are_consistent(run):
    mart = _mart(run, "emergency_admissions_by_simd_published")
    assert set(mart["simd_quintile"]) == {"1", "2", "3", "4", "5", "all"}
    assert set(mart["geography_level"]) == {"hscp", "health_board", "scotland"}
    areas = mart[mart["simd_quintile"] == "all"]["geography_level"].value_counts().to_dict()
    assert areas == {"hscp": 31, "health_board": 14, "scotland": 1}
    assert np.allclose(mart["value"], 1000 * mart["numerator"] / mart["denominator"])
    assert (mart["ci95_lower"] <= mart["value"]).all() and (mart["value"] <= mart["ci95_upper"]).all()
    assert (mart["ci998_lower"] <= mart["ci95_lower"]).all() and (mart["ci998_upper"] >= mart["ci95_upper"]).all()
    other = mart[mart["geography_level"] != "scotland"]
    scot = _scotland(mart, "simd_quintile")["value"]
    assert np.allclose(other["scotland_value"], other["simd_quintile"].map(scot))
    higher = other[other["compared_with_scotland_95"] == "higher"]
    assert (higher["ci95_lower"] > higher["scotland_value"]).all()
    lower = other[other["compared_with_scotland_95"] == "lower"]
    assert (lower["ci95_upper"] < lower["scotland_value"]).all()


def _scotpho_sii(rates, populations, confidence):
    """ScotPHO's SII: weighted least squares of the rates on the relative rank (midpoint
    of the cumulative population share, most deprived first); SII = -slope, t-interval."""
    from scipy import stats

    w = np.asarray(populations, dtype=float)
    rank = (np.cumsum(w) - w / 2) / w.sum()
    X = np.column_stack([np.ones_like(rank), rank])
    xtwx = X.T @ (w[:, None] * X)
    beta = np.linalg.solve(xtwx, X.T @ (w * np.asarray(rates)))
    resid = np.asarray(rates) - X @ beta
    se = np.sqrt((w * resid**2).sum() / (len(w) - 2) * np.linalg.inv(xtwx)[1, 1])
    t = stats.t.ppf(1 - (1 - confidence) / 2, len(w) - 2)
    return -beta[1], -beta[1] - t * se, -beta[1] + t * se


@needs_admissions
def test_slope_index_of_inequality_matches_a_weighted_regression(run):
    rates = _mart(run, "emergency_admissions_by_simd_published")
    sii = _mart(run, "emergency_admissions_sii_published").set_index(["geography_level", "geography_code"])
    quintiles = rates[rates["simd_quintile"] != "all"].sort_values("simd_quintile")
    complete = 0
    for (level, code), group in quintiles.groupby(["geography_level", "geography_code"]):
        if len(group) < 5:  # an island area without every quintile has no SII
            assert (level, code) not in sii.index
            continue
        complete += 1
        row = sii.loc[(level, code)]
        for conf, suffix in ((0.95, "95"), (0.998, "998")):
            value, lower, upper = _scotpho_sii(group["value"], group["denominator"], conf)
            assert row["value"] == pytest.approx(value)
            assert row[f"ci{suffix}_lower"] == pytest.approx(lower)
            assert row[f"ci{suffix}_upper"] == pytest.approx(upper)
        assert pd.notna(row["quality_marker"]) == group["quality_marker"].notna().any()
    assert complete == len(sii) and complete >= 28 + 11 + 1
    assert sii.loc[("scotland", "S92000003"), "value"] > 0  # admissions fall as deprivation falls
    assert (sii["scotland_value"] == sii.loc[("scotland", "S92000003"), "value"]).all()


def test_an_indicator_of_an_absent_optional_input_is_not_published():
    state = RunState(run_id="x")
    by_id = {i.id: i for i in load_catalogue()}
    supplied = {i.id for i in contents.supplied_indicators(list(by_id.values()), state)}
    assert "emergency_admissions_by_simd_published" not in supplied
    assert "population_65_plus_percent" in supplied
