"""Tests for transforms.stats.standardised (DSR, ISR) and transforms.stats.constants (ESP2013).

Reference values come from published sources.  The [PHE-DSR-ISR] tables, which
tests/unit/udfs/test_udfs_standardised.py uses too, are in
tests/unit/stats/reference_values/standardised.py, cited there next to each table;
the other published values are cited next to their use, from these sources:

[PHE-RATE]    the repository of [PHE-DSR-ISR], tests/testthat/testdata_Rate.xlsx, sheet
              "testdata_Rate", Area4: 65 events, population 100, rate per
              100,000 = 65000, 95% limits 50163.18771045945 and
              82849.13854593984 (as in tests/unit/stats/test_rates.py).
[ESP-PHE]     the repository of [PHE-DSR-ISR], data-raw/LoadTestdata.R and R/data.R:
              esp2013 <- c(5000,5500,5500,5500,6000,6000,6500,7000,7000,7000,
              7000,6500,6000,5500,5000,4000,2500,1500,1000), "0-4, 5-9 ...
              85-89, 90+", the Eurostat 2013 ESP with 0 and 1-4 combined and
              90-94 and 95+ combined.
[ESP-SCOTPHO] Public-Health-Scotland/scotpho-indicator-production,
              "functions/helper functions/calculate_easr.R" (commit
              90b8cfd465ae09a43c2dcadc750ed794b002b99e), epop_age "normal":
              age_grp 1..19 -> 5000, 5500, 5500, 5500, 6000, 6000, 6500,
              7000, 7000, 7000, 7000, 6500, 6000, 5500, 5000, 4000, 2500,
              1500, 1000; and "functions/helper functions/create_agegroups.R"
              (commit 7d05170ef3e527a8a95f755d0a60b70d69617e52): age 0-4 -> 1,
              5-9 -> 2, ..., 85-89 -> 18, 90-200 -> 19.
[ESP-21]      The 21-group ESP2013 of the Eurostat report (Revision of the
              European Standard Population, 2013 edition, KS-RA-13-028) as
              quoted by the Hull JSNA glossary (hulljsna.com/glossary/esp):
              1,000 aged under 1, 4,000 aged 1-4, 5,500 each 5-9, 10-14,
              15-19, 6,000 each 20-24, 25-29, 6,500 30-34, 7,000 each 35-39 to
              50-54, 6,500 55-59, 6,000 60-64, 5,500 65-69, 5,000 70-74, 4,000
              75-79, 2,500 80-84, 1,500 85-89, 800 90-94, 200 95+, total 100,000.

Numbers from the spreadsheets were read from their cached cell values with
openpyxl and are copied in full precision; they were not computed by this code
base.  Values computed for these tests are marked as such and checked a
second, independent way.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tests.unit.stats.reference_values.standardised import (
    COUNTS,
    DSR_1976_COUNTS,
    DSR_1976_POP,
    ERR2_AREA1_POP,
    ESP1976,
    ISR_EXPECTED,
    ISR_REF_RATE,
    PHE_DSR,
    PHE_ISR,
    POP,
    REF_COUNTS,
    REF_POPS,
)
from transforms.stats.constants import (
    CONF_LEVELS,
    DSR_MIN_COUNT,
    ESP2013,
    ESP2013_BANDS,
    ESP2013_LOWER_AGES,
    ESP2013_TOTAL,
    ESP2013_WEIGHTS,
    esp2013_band,
    esp2013_band_index,
    esp2013_series,
)
from transforms.stats.rates import crude_rate_ci, poisson_ci_count
from transforms.stats.standardised import (
    REASON_LOW_COUNT,
    REASON_ZERO_EXPECTED,
    REASON_ZERO_POPULATION,
    ci_column_suffix,
    dsr,
    dsr_details,
    dsr_frame,
    expected_count,
    indirect_standardisation,
    isr,
    isr_frame,
    israte,
    reference_rate,
)

RTOL = 1e-10


def _multiarea_frame() -> pd.DataFrame:
    rows = []
    for area, counts in COUNTS.items():
        for band, c, p in zip(ESP2013_BANDS, counts, POP):
            rows.append({"area": area, "ageband": band, "count": np.nan if c is None else c, "pop": p})
    return pd.DataFrame(rows)


def _counts(area) -> np.ndarray:
    return np.array([np.nan if c is None else c for c in COUNTS[area]], dtype=float)


# ---------------------------------------------------------------------------
# ESP2013 constants


def test_esp2013_weights_match_sources():
    # [ESP-PHE] and [ESP-SCOTPHO] give the same 19 values.
    published = [5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000, 7000, 6500, 6000, 5500, 5000,
                 4000, 2500, 1500, 1000]  # fmt: skip
    np.testing.assert_array_equal(ESP2013_WEIGHTS, published)
    assert ESP2013_WEIGHTS.sum() == ESP2013_TOTAL == 100000
    assert len(ESP2013_BANDS) == 19 and ESP2013_BANDS[0] == "0-4" and ESP2013_BANDS[-1] == "90+"
    np.testing.assert_array_equal(ESP2013_LOWER_AGES, np.arange(0, 95, 5))
    assert dict(ESP2013) == dict(zip(ESP2013_BANDS, published))
    assert list(esp2013_series("lower_age").index) == list(range(0, 95, 5))
    assert esp2013_series("index").sum() == 100000
    with pytest.raises(ValueError):
        esp2013_series("age")
    with pytest.raises(ValueError):  # read-only
        ESP2013_WEIGHTS[0] = 1.0


def test_esp2013_is_the_21_group_table_collapsed():
    # [ESP-21]: 0, 1-4, 5-9, ..., 85-89, 90-94, 95+.  Joining 0 with 1-4 and
    # 90-94 with 95+ must give the 19-band vector (independent transcription).
    esp21 = [1000, 4000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000, 7000, 6500, 6000, 5500, 5000,
             4000, 2500, 1500, 800, 200]  # fmt: skip
    assert sum(esp21) == 100000
    collapsed = [esp21[0] + esp21[1], *esp21[2:19], esp21[19] + esp21[20]]
    np.testing.assert_array_equal(ESP2013_WEIGHTS, collapsed)


def test_esp2013_band_matches_scotpho_create_agegroups():
    # [ESP-SCOTPHO] create_agegroups: between(age, 5k, 5k+4) -> k+1 for k < 18; 90-200 -> 19.
    scotpho = [(0, 4, 1), (5, 9, 2), (10, 14, 3), (15, 19, 4), (20, 24, 5), (25, 29, 6), (30, 34, 7),
               (35, 39, 8), (40, 44, 9), (45, 49, 10), (50, 54, 11), (55, 59, 12), (60, 64, 13), (65, 69, 14),
               (70, 74, 15), (75, 79, 16), (80, 84, 17), (85, 89, 18), (90, 200, 19)]  # fmt: skip
    ages = np.arange(0, 201)
    expected = np.empty(ages.shape, dtype=int)
    for lo, hi, grp in scotpho:
        expected[(ages >= lo) & (ages <= hi)] = grp - 1
    np.testing.assert_array_equal(esp2013_band_index(ages), expected)
    np.testing.assert_array_equal(esp2013_band(ages), np.array(ESP2013_BANDS, dtype=object)[expected])
    # Scalars, fractional ages (completed years), pandas input, missing ages.
    assert esp2013_band(4.99).item() == "0-4"
    assert esp2013_band(90).item() == "90+"
    assert esp2013_band_index(pd.Series([0, 89, 90], dtype="Int64")).tolist() == [0, 17, 18]
    assert esp2013_band([np.nan, None, 7]).tolist() == [None, None, "5-9"]
    with pytest.raises(ValueError):
        esp2013_band_index([3, np.nan])
    with pytest.raises(ValueError):
        esp2013_band([-1, 3])
    with pytest.raises(ValueError):  # pandas input is checked too
        esp2013_band(pd.Series([-1, 3], dtype="Int64"))


def test_conf_levels_constant():
    assert CONF_LEVELS == (0.95, 0.998)
    assert ci_column_suffix(0.95) == "95_0cl" and ci_column_suffix(0.998) == "99_8cl"
    assert DSR_MIN_COUNT == 10


# ---------------------------------------------------------------------------
# DSR: published values


@pytest.mark.parametrize("multiplier", [10000, 100000])
def test_dsr_matches_phe_testresults(multiplier):
    for area, total_count, total_pop, value, lo95, hi95, lo998, hi998 in PHE_DSR[multiplier]:
        x = _counts(area)
        got = dsr(x, POP, ESP2013_WEIGHTS, multiplier=multiplier, conf_level=0.95)
        got998 = dsr(x, POP, ESP2013_WEIGHTS, multiplier=multiplier, conf_level=0.998)
        if value is None:  # tiny: suppressed
            assert all(np.isnan(a) for a in (*got, *got998))
            continue
        np.testing.assert_allclose(got, [value, lo95, hi95], rtol=RTOL)
        np.testing.assert_allclose(got998, [value, lo998, hi998], rtol=RTOL)


def test_dsr_frame_matches_phe_testresults_with_both_levels():
    out = dsr_frame(_multiarea_frame(), ["area"], "count", "pop", "ageband", conf_level=(0.95, 0.998))
    assert list(out.columns) == ["area", "total_count", "total_pop", "value", "lower95_0cl", "upper95_0cl",
                                 "lower99_8cl", "upper99_8cl", "suppressed", "reason"]  # fmt: skip
    assert out["area"].tolist() == ["testdata_big", "testdata_small", "testdata_tiny"]
    expected = pd.DataFrame(PHE_DSR[100000], columns=["area", "total_count", "total_pop", "value", "lower95_0cl",
                                                       "upper95_0cl", "lower99_8cl", "upper99_8cl"])  # fmt: skip
    for col in expected.columns[1:]:
        np.testing.assert_allclose(out[col], expected[col].astype(float), rtol=RTOL)  # NaN == NaN here
    # Row "testdata_tiny": total count 9 (the NA band counts as 0), not published.
    assert out["suppressed"].tolist() == [False, False, True]
    assert out["reason"].tolist() == [None, None, REASON_LOW_COUNT]
    assert REASON_LOW_COUNT == "total count < 10"


def test_dsr_with_user_standard_esp1976():
    # [PHE-DSR-ISR] "testdata_1976" with its 18-band 1976 standard; row 9 of "testresults_DSR".
    value, lower, upper = dsr(DSR_1976_COUNTS, DSR_1976_POP, ESP1976, multiplier=100000)
    assert value == pytest.approx(8592.097585022366, rel=RTOL)
    assert lower == pytest.approx(7991.160931442103, rel=RTOL)
    assert upper == pytest.approx(9225.253880318318, rel=RTOL)
    bands = ["0-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49", "50-54",
             "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85+"]  # fmt: skip
    df = pd.DataFrame({"band": bands, "count": DSR_1976_COUNTS, "pop": DSR_1976_POP})
    out = dsr_frame(df, [], "count", "pop", "band", standard=pd.Series(ESP1976, index=bands))
    assert out["total_count"].item() == 804 and out["total_pop"].item() == 8763
    assert out["value"].item() == pytest.approx(8592.097585022366, rel=RTOL)
    assert out["upper95_0cl"].item() == pytest.approx(9225.253880318318, rel=RTOL)


def test_single_band_dsr_equals_published_crude_rate():
    # With one band Dobson's limits reduce to the crude-rate limits (the
    # weights cancel and sqrt(var/O) = 1/n), so a DSR of 65 events in a
    # population of 100 must give [PHE-RATE] Area4: 65000 (50163.18771045945,
    # 82849.13854593984) per 100,000, whatever the standard weight.
    for weight in (1.0, 7000.0):
        got = dsr([65], [100], [weight], multiplier=100000)
        np.testing.assert_allclose(got, [65000, 50163.18771045945, 82849.13854593984], rtol=RTOL)
    np.testing.assert_allclose(dsr([65], [100], [1.0]), crude_rate_ci(65, 100, multiplier=100000), rtol=1e-12)


def test_dsr_equal_age_specific_rates_give_that_rate():
    # Computed here: if every band has the same rate r, the DSR is r for any
    # standard (a weighted mean of equal rates).  Independent of Dobson's limits.
    pop = np.array(POP, dtype=float) * 10
    counts = pop * 0.02
    value, lower, upper = dsr(counts, pop, ESP2013_WEIGHTS, multiplier=1000)
    assert value == pytest.approx(20.0, rel=1e-12)
    assert lower < 20.0 < upper


# ---------------------------------------------------------------------------
# DSR: vectorised and frame forms agree with the single-area form


def test_dsr_2d_array_equals_row_by_row():
    x = np.vstack([_counts(a) for a in COUNTS])
    value, lower, upper = dsr(x, POP, ESP2013_WEIGHTS)
    for i, area in enumerate(COUNTS):
        v, lo, hi = dsr(_counts(area), POP, ESP2013_WEIGHTS)
        np.testing.assert_array_equal([value[i], lower[i], upper[i]], [v, lo, hi])


def test_dsr_frame_equals_scalar_on_random_groups():
    rng = np.random.default_rng(20240601)
    areas, years, sexes = [f"S37{i:06d}" for i in range(40)], [2019, 2020, 2021], ["F", "M"]
    idx = pd.MultiIndex.from_product([areas, years, sexes, ESP2013_BANDS], names=["area", "year", "sex", "band"])
    df = idx.to_frame(index=False)
    df["pop"] = rng.integers(50, 5000, len(df)).astype(float)
    rate = rng.uniform(0, 0.004, len(df))
    df["count"] = rng.poisson(df["pop"] * rate).astype(float)
    df.loc[rng.random(len(df)) < 0.05, "count"] = np.nan  # absent counts from a left join
    df = df.sample(frac=1.0, random_state=1).reset_index(drop=True)  # row order must not matter
    for conf in CONF_LEVELS:
        out = dsr_frame(df, ["area", "year", "sex"], "count", "pop", "band", conf_level=conf)
        assert len(out) == 40 * 3 * 2
        sfx = ci_column_suffix(conf)
        by_group = df.set_index(["area", "year", "sex", "band"]).sort_index()
        for row in out.sample(25, random_state=2).itertuples(index=False):
            g = by_group.loc[(row.area, row.year, row.sex)].reindex(list(ESP2013_BANDS))
            v, lo, hi = dsr(g["count"], g["pop"], ESP2013_WEIGHTS, conf_level=conf)
            np.testing.assert_allclose(
                [row.value, getattr(row, f"lower{sfx}"), getattr(row, f"upper{sfx}")], [v, lo, hi], rtol=1e-13
            )
            assert row.total_count == np.nansum(g["count"])


def test_dsr_frame_with_lower_age_band_coding_and_categorical_groups():
    df = _multiarea_frame()
    df["ageband"] = df["ageband"].map(dict(zip(ESP2013_BANDS, ESP2013_LOWER_AGES.tolist())))
    df["area"] = df["area"].astype("category")
    out = dsr_frame(df, "area", "count", "pop", "ageband", standard=esp2013_series("lower_age"))
    assert out["value"].iloc[0] == pytest.approx(10430.247991469423, rel=RTOL)  # [PHE-DSR-ISR] D6
    assert len(out) == 3


# ---------------------------------------------------------------------------
# DSR: edge cases


def test_dsr_suppressed_below_ten_and_published_at_ten():
    pop = np.full(19, 1000.0)
    for total, suppressed in ((0, True), (9, True), (10, False)):
        x = np.zeros(19)
        x[-1] = total
        value, lower, upper = dsr(x, pop, ESP2013_WEIGHTS)
        assert np.isnan(value) == suppressed and np.isnan(lower) == suppressed and np.isnan(upper) == suppressed
    # At 10 events in one band the limits use Byar's count limits for O = 10.
    x = np.zeros(19)
    x[-1] = 10
    value, lower, upper = dsr(x, pop, ESP2013_WEIGHTS)
    lo_o, hi_o = poisson_ci_count(10)
    # Computed here: one non-empty band, so DSR = w*x/n/sum(w) and
    # sqrt(var/O) = w/n/sum(w): limits are the count limits scaled the same way.
    scale = 1000.0 / 1000.0 / 100000.0 * 100000
    assert value == pytest.approx(10 * scale) and lower == pytest.approx(lo_o * scale)
    assert upper == pytest.approx(hi_o * scale)
    # A lower threshold is allowed (exact count limits below 10), 0 is not.
    assert not np.isnan(dsr(np.r_[np.zeros(18), 5], pop, ESP2013_WEIGHTS, min_count=1)[1])
    with pytest.raises(ValueError):
        dsr(x, pop, ESP2013_WEIGHTS, min_count=0)


def test_dsr_frame_zero_events_and_zero_population():
    df = _multiarea_frame()
    df.loc[df["area"] == "testdata_tiny", "count"] = 0.0  # zero events everywhere
    df.loc[(df["area"] == "testdata_small") & (df["ageband"] == "5-9"), "pop"] = 0.0
    out = dsr_frame(df, ["area"], "count", "pop", "ageband", conf_level=[0.95, 0.998]).set_index("area")
    assert out.loc["testdata_tiny", "total_count"] == 0
    assert out.loc["testdata_tiny", "reason"] == REASON_LOW_COUNT
    assert out.loc["testdata_small", "reason"] == REASON_ZERO_POPULATION
    assert out.loc["testdata_small", "total_pop"] == 8970 - 558
    for area in ("testdata_tiny", "testdata_small"):
        assert out.loc[area, "suppressed"]
        assert out.loc[area, ["value", "lower95_0cl", "upper95_0cl", "lower99_8cl", "upper99_8cl"]].isna().all()
    assert not out.loc["testdata_big", "suppressed"] and out.loc["testdata_big", "reason"] is None
    # Scalar form: zero population in a band -> NaN, no exception.
    pop = list(POP)
    pop[1] = 0
    assert all(np.isnan(a) for a in dsr(_counts("testdata_big"), pop, ESP2013_WEIGHTS))


def test_dsr_missing_band_and_bad_inputs_raise():
    df = _multiarea_frame()
    args = (["area"], "count", "pop", "ageband")
    absent = df.drop(index=df.index[(df["area"] == "testdata_small") & (df["ageband"] == "90+")])
    with pytest.raises(ValueError, match=r"no row for band '90\+'"):
        dsr_frame(absent, *args)
    with pytest.raises(ValueError, match="more than one row"):
        dsr_frame(pd.concat([df, df.iloc[[0]]]), *args)
    unknown = df.copy()
    unknown.loc[0, "ageband"] = "0-5"
    with pytest.raises(ValueError, match="not in the standard"):
        dsr_frame(unknown, *args)
    nan_pop = df.copy()
    nan_pop.loc[3, "pop"] = np.nan
    with pytest.raises(ValueError, match="missing"):
        dsr_frame(nan_pop, *args)
    neg = df.copy()
    neg.loc[3, "count"] = -1
    with pytest.raises(ValueError):
        dsr_frame(neg, *args)
    with pytest.raises(KeyError):
        dsr_frame(df, ["region"], "count", "pop", "ageband")
    # Array form: wrong number of bands, bad standard, bad confidence level.
    with pytest.raises(ValueError, match="one value per band"):
        dsr(_counts("testdata_big")[:18], POP[:18], ESP2013_WEIGHTS)
    with pytest.raises(ValueError):
        dsr(_counts("testdata_big"), POP, np.r_[ESP2013_WEIGHTS[:-1], np.nan])
    with pytest.raises(ValueError):
        dsr(_counts("testdata_big"), POP, np.zeros(19))
    with pytest.raises(ValueError):
        dsr(_counts("testdata_big"), np.r_[POP[:-1], np.nan], ESP2013_WEIGHTS)
    for conf in (0, 1, 95, np.nan):
        with pytest.raises(ValueError):
            dsr(_counts("testdata_big"), POP, ESP2013_WEIGHTS, conf_level=conf)


def test_dsr_998_wider_than_95_and_contains_value():
    out = dsr_frame(_multiarea_frame(), ["area"], "count", "pop", "ageband", conf_level=(0.95, 0.998)).iloc[:2]
    assert (out["lower99_8cl"] < out["lower95_0cl"]).all()
    assert (out["upper99_8cl"] > out["upper95_0cl"]).all()
    assert ((out["lower95_0cl"] < out["value"]) & (out["value"] < out["upper95_0cl"])).all()


def test_dsr_frame_empty_and_nan_group_keys():
    df = _multiarea_frame()
    empty = dsr_frame(df.iloc[0:0], ["area"], "count", "pop", "ageband")
    assert len(empty) == 0 and "value" in empty.columns
    df["sex"] = np.where(df["area"] == "testdata_big", None, "F")
    out = dsr_frame(df, ["sex", "area"], "count", "pop", "ageband")
    assert len(out) == 3 and out["sex"].isna().sum() == 1


# ---------------------------------------------------------------------------
# Indirect standardisation: published values


def test_expected_and_reference_rate_match_phe():
    e = expected_count(POP, REF_COUNTS, REF_POPS)
    assert e == pytest.approx(ISR_EXPECTED, rel=RTOL)
    assert reference_rate(REF_COUNTS, REF_POPS, 100000) == pytest.approx(ISR_REF_RATE[100000], rel=RTOL)
    assert reference_rate(REF_COUNTS, REF_POPS, 1000) == pytest.approx(ISR_REF_RATE[1000], rel=RTOL)
    # PHE test "test ref as specified vector": an NA reference count (10-14) is
    # treated as 0 and gives the same results.
    ref_na = list(REF_COUNTS)
    ref_na[2] = None
    assert expected_count(POP, ref_na, REF_POPS) == pytest.approx(ISR_EXPECTED, rel=RTOL)


@pytest.mark.parametrize("area", list(PHE_ISR))
def test_isr_and_israte_match_phe(area):
    ref = PHE_ISR[area]
    o = ref["observed"]
    assert np.nansum(_counts(area)) == o
    for conf, (i_lo, i_hi) in ((0.95, (1, 2)), (0.998, (3, 4))):
        for refvalue in (1, 100):
            value, lower, upper = isr(o, ISR_EXPECTED, conf_level=conf, refvalue=refvalue)
            exp = ref[("ratio", refvalue)]
            np.testing.assert_allclose([value, lower, upper], [exp[0], exp[i_lo], exp[i_hi]], rtol=RTOL)
        for mult in (100000, 1000):
            value, lower, upper = israte(o, ISR_EXPECTED, ISR_REF_RATE[mult], conf_level=conf)
            exp = ref[("rate", mult)]
            np.testing.assert_allclose([value, lower, upper], [exp[0], exp[i_lo], exp[i_hi]], rtol=RTOL)


def test_indirect_standardisation_from_bands_matches_phe():
    x = np.vstack([_counts(a) for a in PHE_ISR])
    observed = np.nansum(x, axis=1)
    res = indirect_standardisation(observed, np.tile(POP, (3, 1)), REF_COUNTS, REF_POPS, multiplier=1000,
                                   refvalue=100, conf_level=0.998)  # fmt: skip
    np.testing.assert_allclose(res["expected"], ISR_EXPECTED, rtol=RTOL)
    for i, area in enumerate(PHE_ISR):
        ratio, rate = PHE_ISR[area][("ratio", 100)], PHE_ISR[area][("rate", 1000)]
        np.testing.assert_allclose([res["ratio"][i], res["ratio_lower"][i], res["ratio_upper"][i]],
                                   [ratio[0], ratio[3], ratio[4]], rtol=RTOL)  # fmt: skip
        np.testing.assert_allclose([res["rate"][i], res["rate_lower"][i], res["rate_upper"][i]],
                                   [rate[0], rate[3], rate[4]], rtol=RTOL)  # fmt: skip


def test_isr_frame_matches_phe_and_array_form():
    ref_counts = pd.Series(REF_COUNTS, index=list(ESP2013_BANDS))
    ref_pops = pd.Series(REF_POPS, index=list(ESP2013_BANDS))
    out = isr_frame(_multiarea_frame(), ["area"], "count", "pop", "ageband", ref_counts, ref_pops,
                    refvalue=100, multiplier=100000, conf_level=(0.95, 0.998))  # fmt: skip
    for i, area in enumerate(PHE_ISR):
        row = out.iloc[i]
        assert row["area"] == area and row["observed"] == PHE_ISR[area]["observed"]
        assert row["method"] == PHE_ISR[area]["method"] and row["reason"] is None
        assert row["expected"] == pytest.approx(ISR_EXPECTED, rel=RTOL)
        assert row["ref_rate"] == pytest.approx(ISR_REF_RATE[100000], rel=RTOL)
        ratio, rate = PHE_ISR[area][("ratio", 100)], PHE_ISR[area][("rate", 100000)]
        got_ratio = row[["ratio", "ratio_lower95_0cl", "ratio_upper95_0cl", "ratio_lower99_8cl", "ratio_upper99_8cl"]]
        got_rate = row[["rate", "rate_lower95_0cl", "rate_upper95_0cl", "rate_lower99_8cl", "rate_upper99_8cl"]]
        np.testing.assert_allclose(got_ratio.astype(float), ratio, rtol=RTOL)
        np.testing.assert_allclose(got_rate.astype(float), rate, rtol=RTOL)


def test_isr_zero_population_band_matches_phe_err2():
    # [PHE-DSR-ISR] "testdata_err2" Area1 (5-9 population 0), "testresults_ISR" rows 14 and 16.
    e = expected_count(ERR2_AREA1_POP, REF_COUNTS, REF_POPS)
    assert e == pytest.approx(808.3217400918253, rel=RTOL)
    np.testing.assert_allclose(isr(895, e, refvalue=100),
                               [110.72323749430866, 103.58708281676485, 118.22147841228508], rtol=RTOL)  # fmt: skip
    rr = reference_rate(REF_COUNTS, REF_POPS)
    np.testing.assert_allclose(israte(895, e, rr),
                               [10352.493261629017, 9685.271141999323, 11053.570021432142], rtol=RTOL)  # fmt: skip


# ---------------------------------------------------------------------------
# Indirect standardisation: edge cases


def test_isr_zero_observed_zero_expected_and_nan():
    # Zero events: ratio 0, lower 0, upper = exact upper count limit / E.
    # Computed here: for O = 0 the exact 95% upper limit solves exp(-U) = 0.025,
    # so U = -ln(0.025), independent of the chi-square route in rates.py.
    value, lower, upper = isr(0, 2.0, refvalue=100)
    assert value == 0 and lower == 0
    assert upper == pytest.approx(-math.log(0.025) / 2.0 * 100, rel=1e-12)
    # Expected 0 or NaN, or observed NaN: NaN, not an error.
    value, lower, upper = isr([5, 5, np.nan], [0, np.nan, 3.0])
    assert np.isnan(value).all() and np.isnan(lower).all() and np.isnan(upper).all()
    with pytest.raises(ValueError):
        isr(-1, 3.0)
    with pytest.raises(ValueError):
        isr(1, -3.0)
    # A group whose population is zero in every band has no expected events.
    df = _multiarea_frame()
    df.loc[df["area"] == "testdata_small", "pop"] = 0
    out = isr_frame(df, "area", "count", "pop", "ageband", dict(zip(ESP2013_BANDS, REF_COUNTS)),
                    dict(zip(ESP2013_BANDS, REF_POPS)))  # fmt: skip
    small = out.set_index("area").loc["testdata_small"]
    assert small["expected"] == 0 and small["reason"] == REASON_ZERO_EXPECTED and np.isnan(small["ratio"])


def test_isr_bad_reference_raises():
    with pytest.raises(ValueError):
        expected_count(POP, REF_COUNTS, [0, *REF_POPS[1:]])
    with pytest.raises(ValueError):
        expected_count(POP, REF_COUNTS, [np.nan, *REF_POPS[1:]])
    with pytest.raises(ValueError):
        expected_count([np.nan, *POP[1:]], REF_COUNTS, REF_POPS)
    with pytest.raises(ValueError):
        expected_count(POP[:18], REF_COUNTS, REF_POPS)
    with pytest.raises(ValueError):
        isr_frame(_multiarea_frame(), "area", "count", "pop", "ageband",
                  pd.Series(REF_COUNTS, index=list(ESP2013_BANDS)),
                  pd.Series(REF_POPS[:18], index=list(ESP2013_BANDS)[:18]))  # fmt: skip


def test_isr_998_wider_than_95():
    observed = np.array([0, 1, 9, 10, 91, 895])
    _, lo95, hi95 = isr(observed, ISR_EXPECTED)
    _, lo998, hi998 = isr(observed, ISR_EXPECTED, conf_level=0.998)
    assert np.all(lo998 <= lo95) and np.all(lo998[1:] < lo95[1:])
    assert np.all(hi998 > hi95)


def test_dsr_details_adds_totals_and_reasons_to_dsr():
    # dsr_details is dsr plus what dsr_frame reports; compare the three on the [PHE-DSR-ISR] areas.
    x = np.vstack([_counts(a) for a in COUNTS])
    pop = np.tile(POP, (3, 1)).astype(float)
    pop[1, 1] = 0  # testdata_small with a zero population in band 5-9
    out = dsr_details(x, pop, ESP2013_WEIGHTS, conf_level=0.998)
    np.testing.assert_array_equal(np.vstack(dsr(x, pop, ESP2013_WEIGHTS, conf_level=0.998)),
                                  np.vstack([out["value"], out["lower"], out["upper"]]))  # fmt: skip
    assert out["total_count"].tolist() == [895, 91, 9]
    assert out["total_pop"].tolist() == [8970, 8970 - 558, 8970]
    assert out["published"].tolist() == [True, False, False]
    assert out["reason"].tolist() == [None, REASON_ZERO_POPULATION, REASON_LOW_COUNT]


def test_expected_count_needs_bands():
    with pytest.raises(ValueError, match="at least one band"):
        expected_count([], [], [])
    with pytest.raises(ValueError, match="at least one band"):
        expected_count(5.0, 1.0, 10.0)
