"""The comparison marts of the shared run against the Python functions on the same inputs.

The compare step builds `comparisons`, `funnels`, `funnel_limits` and `trends` in SQL
(dbt models calling the statistics as DuckDB functions) from the disclosure-controlled
indicators. Here each is recomputed in Python from those controlled indicators:
funnel limits and positions (transforms.stats.funnels), quintiles
(transforms.stats.quantiles), ranks, family means and best quartiles, the improvement
opportunity by hand; and nothing is built on a suppressed cell. The trends need
several years: tests/integration/test_comparisons_over_years.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.support import TEST_YEAR
from transforms.catalogue import load_catalogue
from transforms.publish import contents
from transforms.stats.compare import best_quartile
from transforms.stats.funnels import classify_against_limits, proportion_funnel_limits, rate_funnel_limits
from transforms.stats.quantiles import assign_quantiles

CELL = ["indicator_id", "period", "geography_level", "geography_code", "sex", "age_group"]
GROUP = ["indicator_id", "period", "geography_level", "sex", "age_group"]


@pytest.fixture(scope="module")
def run(indicator_run):
    cfg, state, marts = indicator_run
    controlled = pd.read_parquet(marts.parent / contents.CONTROLLED_DIR / contents.CONTROLLED_INDICATORS)
    controlled = controlled[controlled.simd_quintile == "all"]
    return {
        "controlled": controlled,
        "comparisons": pd.read_parquet(marts / "comparisons.parquet"),
        "funnels": pd.read_parquet(marts / "funnels.parquet"),
        "funnel_limits": pd.read_parquet(marts / "funnel_limits.parquet"),
        "trends": pd.read_parquet(marts / "trends.parquet"),
        "families": pd.read_parquet(marts.parent / contents.CONTROLLED_DIR / f"{contents.PEER_FAMILIES}.parquet"),
        "release": cfg.output_dir / "latest",
    }


def test_funnel_limits_and_positions_equal_the_python_functions(run):
    funnels = run["funnels"]
    assert set(funnels.method) == {"crude rate", "percentage"} and len(funnels) > 1000
    for (method, multiplier), rows in funnels.groupby(["method", "multiplier"]):
        for conf, suffix in ((0.95, "95"), (0.998, "998")):
            if method == "crude rate":
                lower, upper = rate_funnel_limits(rows.denominator, rows.benchmark, conf, multiplier, method="exact")
            else:
                lower, upper = proportion_funnel_limits(rows.denominator, rows.benchmark, conf, multiplier)
            np.testing.assert_allclose(rows[f"lower_{suffix}"], lower, rtol=1e-9)
            np.testing.assert_allclose(rows[f"upper_{suffix}"], upper, rtol=1e-9)
        positions = classify_against_limits(rows.value, rows.lower_95, rows.upper_95, rows.lower_998, rows.upper_998)
        assert rows.funnel_position.fillna("none").tolist() == [p or "none" for p in positions]
    assert {"within", "above 99.8%", "below 99.8%"} <= set(funnels.funnel_position)


def test_funnel_benchmark_is_the_scotland_value_and_curves_span_the_areas(run):
    funnels, controlled, curves = run["funnels"], run["controlled"], run["funnel_limits"]
    scotland = controlled[controlled.geography_level == "scotland"].set_index(
        ["indicator_id", "period", "sex", "age_group"]
    )["value"]
    got = funnels.set_index(["indicator_id", "period", "sex", "age_group"])["benchmark"]
    np.testing.assert_allclose(got, scotland.reindex(got.index))
    assert (curves.groupby(GROUP).point.count() == 50).all()
    span = curves.groupby(GROUP).at_denominator.agg(["min", "max"])
    areas = funnels.groupby(GROUP).denominator.agg(["min", "max"])
    np.testing.assert_allclose(span["min"], 0.8 * areas["min"].reindex(span.index))
    np.testing.assert_allclose(span["max"], 1.2 * areas["max"].reindex(span.index))


def test_scotland_ranks_and_quintiles_equal_python_on_the_same_values(run):
    scot = run["comparisons"][run["comparisons"].comparator == "Scotland"]
    checked = 0
    for _, rows in scot.groupby(GROUP):
        polarity = rows.polarity.iloc[0]
        ranked = rows[rows.value.notna()]
        if len(ranked) < 5:
            continue
        # Fingertips: invert (highest in quintile 1) unless high is good, so quintile 1 is the worst fifth.
        expected = assign_quantiles(ranked[["value"]], "value", nquantiles=5, invert=polarity != "high is good")
        assert ranked.quintile.astype(int).tolist() == expected.astype(int).tolist()
        key = ranked.value if polarity == "high is bad" else -ranked.value
        assert ranked["rank"].astype(int).tolist() == key.rank(method="min").astype(int).tolist()
        assert (ranked.rank_of == len(ranked)).all()
        checked += 1
    assert checked > 100


def test_an_incomplete_scotland_value_is_no_benchmark(run):
    controlled, comparisons = run["controlled"], run["comparisons"]
    incomplete = controlled[(controlled.geography_level == "scotland") & (controlled.quality_marker == "y")]
    scot = comparisons[comparisons.comparator == "Scotland"].merge(
        incomplete[["indicator_id", "period", "sex", "age_group"]], on=["indicator_id", "period", "sex", "age_group"]
    )
    assert len(incomplete) > 0 and len(scot) > 0  # the published SIMD file's Scotland totals miss small cells
    assert scot.comparator_value.isna().all() and (scot.verdict_95 == "not compared").all()


def test_family_mean_best_quartile_and_rank_equal_python(run):
    fam = run["comparisons"][run["comparisons"].comparator == "peer family"]
    assert set(fam.geography_level) == {"hscp", "locality"}
    checked = 0
    for _, rows in fam.groupby([*GROUP, "comparator_code"]):
        values = rows.value.dropna()
        if values.empty:
            continue
        polarity = rows.polarity.iloc[0]
        np.testing.assert_allclose(rows.comparator_value, values.mean())
        expected_quartile = best_quartile(values.to_numpy(), polarity)
        if polarity == "no judgement":
            assert rows.best_quartile_value.isna().all()
        else:
            np.testing.assert_allclose(rows.best_quartile_value, expected_quartile)
        key = values if polarity == "high is bad" else -values
        published = rows[rows.value.notna()]
        assert published["rank"].astype(int).tolist() == key.rank(method="min").astype(int).tolist()
        checked += 1
    assert checked > 500


def test_opportunity_of_one_partnership_by_hand(run):
    controlled, comparisons = run["controlled"], run["comparisons"]
    cell = controlled[
        (controlled.indicator_id == "emergency_admissions_per_1000")
        & (controlled.geography_level == "hscp")
        & (controlled.age_group == "All ages")
    ]
    worst = cell.sort_values("value").iloc[-1]  # above Scotland, so the opportunity is positive
    expected = worst.numerator - worst.scotland_value / 1000 * worst.denominator
    row = comparisons[
        (comparisons.indicator_id == worst.indicator_id)
        & (comparisons.geography_code == worst.geography_code)
        & (comparisons.period == worst.period)
        & (comparisons.age_group == "All ages")
        & (comparisons.comparator == "Scotland")
    ]
    assert expected > 0 and row.opportunity.item() == pytest.approx(expected)
    assert row.opportunity_unit.item() == "emergency admissions" and row.verdict_95.item() == "worse"
    best = cell.sort_values("value").iloc[0]
    row = comparisons[
        (comparisons.geography_code == best.geography_code)
        & (comparisons.indicator_id == best.indicator_id)
        & (comparisons.period == best.period)
        & (comparisons.age_group == "All ages")
        & (comparisons.comparator == "Scotland")
    ]
    assert row.opportunity.item() == 0.0 and row["rank"].item() == 1


@pytest.mark.parametrize("marker", ["c", "y"])  # suppressed; incomplete (a lower bound)
def test_nothing_is_built_on_a_suppressed_or_incomplete_cell(run, marker):
    controlled, comparisons = run["controlled"], run["comparisons"]
    compared = controlled.geography_level.isin(["locality", "hscp", "health_board"])
    suppressed = controlled[compared & (controlled.quality_marker == marker)][CELL]
    assert len(suppressed) > 0
    rows = comparisons.merge(suppressed, on=CELL)
    assert len(rows) >= len(suppressed)  # a Scotland row each, and a family row for localities and HSCPs
    assert (rows.quality_marker == marker).all()
    assert rows[["value", "rank", "quintile", "opportunity", "funnel_position"]].isna().all().all()
    assert (rows.verdict_95 == "not compared").all() and (rows.verdict_998 == "not compared").all()
    assert run["funnels"].merge(suppressed, on=CELL).funnel_position.isna().all()


def test_the_release_holds_the_comparisons_families_and_a_first_release_summary(run):
    release = run["release"]
    comparisons = pd.read_parquet(release / "comparisons")
    assert len(comparisons) == len(run["comparisons"])
    families = pd.read_parquet(release / "peer_families")
    assert set(families.geography_level) == {"hscp", "locality"}
    assert (families.geography_level == "hscp").sum() == 31
    summaries = pd.read_parquet(release / "revision_summaries.parquet")
    assert len(summaries) == 31
    assert summaries.summary.str.startswith("First release").all()


def test_the_partnership_summary_counts_the_verdicts_of_the_latest_period(run):
    release, comparisons = run["release"], run["comparisons"]
    summaries = pd.read_parquet(release / "comparison_summaries.parquet").set_index("geography_code")
    assert len(summaries) == 31 and summaries.family_id.notna().all()
    code = summaries.index[0]
    latest = f"{TEST_YEAR}/{(TEST_YEAR + 1) % 100:02d}"  # the shared run's one year
    cells = comparisons[(comparisons.geography_code == code) & (comparisons.period == latest)]
    headline = {i.id: i.age_groups[0] for i in load_catalogue()}  # 'All ages' where the indicator has it
    cells = cells[cells.age_group == cells.indicator_id.map(headline)]
    for comparator, suffix in (("Scotland", "scotland"), ("peer family", "family")):
        verdicts = cells[cells.comparator == comparator].verdict_95
        assert summaries.loc[code, f"better_than_{suffix}"] == (verdicts == "better").sum()
        assert summaries.loc[code, f"worse_than_{suffix}"] == (verdicts == "worse").sum()
    family = run["families"]
    members = family[family.family_id == summaries.loc[code, "family_id"]]
    assert summaries.loc[code, "family_members"] == ", ".join(sorted(members.geography_name))
