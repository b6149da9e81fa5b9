"""Tests for transforms.stats.standardised (DSR) and transforms.stats.constants (ESP2013).

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

import numpy as np
import pytest

from tests.unit.stats.reference_values.standardised import (
    COUNTS,
    DSR_1976_COUNTS,
    DSR_1976_POP,
    ESP1976,
    PHE_DSR,
    POP,
)
from transforms.stats.constants import (
    CONF_LEVELS,
    DSR_MIN_COUNT,
    ESP2013,
    ESP2013_BANDS,
    ESP2013_LOWER_AGES,
    ESP2013_TOTAL,
    ESP2013_WEIGHTS,
)
from transforms.stats.rates import crude_rate_ci, poisson_ci_count
from transforms.stats.standardised import REASON_LOW_COUNT, REASON_ZERO_POPULATION, dsr_details

RTOL = 1e-10


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
    assert dict(ESP2013) == dict(zip(ESP2013_BANDS, published, strict=False))
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


def test_conf_levels_constant():
    assert CONF_LEVELS == (0.95, 0.998)
    assert DSR_MIN_COUNT == 10


# ---------------------------------------------------------------------------
# DSR: published values


def _value_limits(out: dict) -> list:
    return [out["value"], out["lower"], out["upper"]]


@pytest.mark.parametrize("multiplier", [10000, 100000])
def test_dsr_matches_phe_testresults(multiplier):
    for area, _total_count, _total_pop, value, lo95, hi95, lo998, hi998 in PHE_DSR[multiplier]:
        x = _counts(area)
        got = dsr_details(x, POP, ESP2013_WEIGHTS, multiplier=multiplier, conf_level=0.95)
        got998 = dsr_details(x, POP, ESP2013_WEIGHTS, multiplier=multiplier, conf_level=0.998)
        if value is None:  # tiny: suppressed
            assert all(np.isnan(a) for a in (*_value_limits(got), *_value_limits(got998)))
            continue
        np.testing.assert_allclose(_value_limits(got), [value, lo95, hi95], rtol=RTOL)
        np.testing.assert_allclose(_value_limits(got998), [value, lo998, hi998], rtol=RTOL)


def test_dsr_details_matches_phe_testresults_totals_and_suppression():
    x = np.vstack([_counts(a) for a in COUNTS])
    expected = np.array([[np.nan if v is None else v for v in row[1:]] for row in PHE_DSR[100000]], dtype=float)
    for conf, (i_lo, i_hi) in ((0.95, (3, 4)), (0.998, (5, 6))):
        out = dsr_details(x, POP, ESP2013_WEIGHTS, conf_level=conf)
        for key, col in (("total_count", 0), ("total_pop", 1), ("value", 2), ("lower", i_lo), ("upper", i_hi)):
            np.testing.assert_allclose(out[key], expected[:, col], rtol=RTOL)  # NaN == NaN here
        # Row "testdata_tiny": total count 9 (the NA band counts as 0), not published.
        assert out["published"].tolist() == [True, True, False]
        assert out["reason"].tolist() == [None, None, REASON_LOW_COUNT]
    assert REASON_LOW_COUNT == "total count < 10"


def test_dsr_with_user_standard_esp1976():
    # [PHE-DSR-ISR] "testdata_1976" with its 18-band 1976 standard; row 9 of "testresults_DSR".
    out = dsr_details(DSR_1976_COUNTS, DSR_1976_POP, ESP1976, multiplier=100000)
    assert out["value"] == pytest.approx(8592.097585022366, rel=RTOL)
    assert out["lower"] == pytest.approx(7991.160931442103, rel=RTOL)
    assert out["upper"] == pytest.approx(9225.253880318318, rel=RTOL)
    assert out["total_count"] == 804 and out["total_pop"] == 8763


def test_single_band_dsr_equals_published_crude_rate():
    # With one band Dobson's limits reduce to the crude-rate limits (the
    # weights cancel and sqrt(var/O) = 1/n), so a DSR of 65 events in a
    # population of 100 must give [PHE-RATE] Area4: 65000 (50163.18771045945,
    # 82849.13854593984) per 100,000, whatever the standard weight.
    for weight in (1.0, 7000.0):
        got = dsr_details([65], [100], [weight], multiplier=100000)
        np.testing.assert_allclose(_value_limits(got), [65000, 50163.18771045945, 82849.13854593984], rtol=RTOL)
    np.testing.assert_allclose(_value_limits(dsr_details([65], [100], [1.0])),
                               crude_rate_ci(65, 100, multiplier=100000), rtol=1e-12)  # fmt: skip


def test_dsr_equal_age_specific_rates_give_that_rate():
    # Computed here: if every band has the same rate r, the DSR is r for any
    # standard (a weighted mean of equal rates).  Independent of Dobson's limits.
    pop = np.array(POP, dtype=float) * 10
    counts = pop * 0.02
    out = dsr_details(counts, pop, ESP2013_WEIGHTS, multiplier=1000)
    assert out["value"] == pytest.approx(20.0, rel=1e-12)
    assert out["lower"] < 20.0 < out["upper"]


# ---------------------------------------------------------------------------
# DSR: the vectorised form agrees with the single-area form


def test_dsr_2d_array_equals_row_by_row():
    x = np.vstack([_counts(a) for a in COUNTS])
    out = dsr_details(x, POP, ESP2013_WEIGHTS)
    for i, area in enumerate(COUNTS):
        one = dsr_details(_counts(area), POP, ESP2013_WEIGHTS)
        np.testing.assert_array_equal([out["value"][i], out["lower"][i], out["upper"][i]], _value_limits(one))


# ---------------------------------------------------------------------------
# DSR: edge cases


def test_dsr_suppressed_below_ten_and_published_at_ten():
    pop = np.full(19, 1000.0)
    for total, suppressed in ((0, True), (9, True), (10, False)):
        x = np.zeros(19)
        x[-1] = total
        out = dsr_details(x, pop, ESP2013_WEIGHTS)
        assert all(np.isnan(out[k]) == suppressed for k in ("value", "lower", "upper"))
    # At 10 events in one band the limits use Byar's count limits for O = 10.
    x = np.zeros(19)
    x[-1] = 10
    out = dsr_details(x, pop, ESP2013_WEIGHTS)
    lo_o, hi_o = poisson_ci_count(10)
    # Computed here: one non-empty band, so DSR = w*x/n/sum(w) and
    # sqrt(var/O) = w/n/sum(w): limits are the count limits scaled the same way.
    scale = 1000.0 / 1000.0 / 100000.0 * 100000
    assert out["value"] == pytest.approx(10 * scale) and out["lower"] == pytest.approx(lo_o * scale)
    assert out["upper"] == pytest.approx(hi_o * scale)
    # A lower threshold is allowed (exact count limits below 10), 0 is not.
    assert not np.isnan(dsr_details(np.r_[np.zeros(18), 5], pop, ESP2013_WEIGHTS, min_count=1)["lower"])
    with pytest.raises(ValueError):
        dsr_details(x, pop, ESP2013_WEIGHTS, min_count=0)


def test_dsr_zero_events_and_zero_population():
    x = np.vstack([_counts(a) for a in COUNTS])
    x[2] = 0.0  # testdata_tiny: zero events everywhere
    pop = np.tile(POP, (3, 1)).astype(float)
    pop[1, 1] = 0.0  # testdata_small: population 0 in band 5-9
    for conf in (0.95, 0.998):
        out = dsr_details(x, pop, ESP2013_WEIGHTS, conf_level=conf)
        assert out["total_count"][2] == 0 and out["reason"][2] == REASON_LOW_COUNT
        assert out["reason"][1] == REASON_ZERO_POPULATION and out["total_pop"][1] == 8970 - 558
        assert out["published"].tolist() == [True, False, False] and out["reason"][0] is None
        assert np.isnan(np.vstack(_value_limits(out))[:, 1:]).all()
    # Single area: zero population in a band -> NaN, no exception.
    one_pop = list(POP)
    one_pop[1] = 0
    assert all(np.isnan(a) for a in _value_limits(dsr_details(_counts("testdata_big"), one_pop, ESP2013_WEIGHTS)))


def test_dsr_missing_band_and_bad_inputs_raise():
    # Wrong number of bands, bad standard, missing population, negative count, bad confidence level.
    with pytest.raises(ValueError, match="one value per band"):
        dsr_details(_counts("testdata_big")[:18], POP[:18], ESP2013_WEIGHTS)
    with pytest.raises(ValueError):
        dsr_details(_counts("testdata_big"), POP, np.r_[ESP2013_WEIGHTS[:-1], np.nan])
    with pytest.raises(ValueError):
        dsr_details(_counts("testdata_big"), POP, np.zeros(19))
    with pytest.raises(ValueError, match="missing"):
        dsr_details(_counts("testdata_big"), np.r_[POP[:-1], np.nan], ESP2013_WEIGHTS)
    with pytest.raises(ValueError):
        dsr_details(np.r_[-1, _counts("testdata_big")[1:]], POP, ESP2013_WEIGHTS)
    for conf in (0, 1, 95, np.nan):
        with pytest.raises(ValueError):
            dsr_details(_counts("testdata_big"), POP, ESP2013_WEIGHTS, conf_level=conf)


def test_dsr_998_wider_than_95_and_contains_value():
    x = np.vstack([_counts(a) for a in ("testdata_big", "testdata_small")])
    o95 = dsr_details(x, POP, ESP2013_WEIGHTS, conf_level=0.95)
    o998 = dsr_details(x, POP, ESP2013_WEIGHTS, conf_level=0.998)
    assert (o998["lower"] < o95["lower"]).all()
    assert (o998["upper"] > o95["upper"]).all()
    assert ((o95["lower"] < o95["value"]) & (o95["value"] < o95["upper"])).all()


def test_dsr_details_reports_totals_and_reasons():
    x = np.vstack([_counts(a) for a in COUNTS])
    pop = np.tile(POP, (3, 1)).astype(float)
    pop[1, 1] = 0  # testdata_small with a zero population in band 5-9
    out = dsr_details(x, pop, ESP2013_WEIGHTS, conf_level=0.998)
    assert out["total_count"].tolist() == [895, 91, 9]
    assert out["total_pop"].tolist() == [8970, 8970 - 558, 8970]
    assert out["published"].tolist() == [True, False, False]
    assert out["reason"].tolist() == [None, REASON_ZERO_POPULATION, REASON_LOW_COUNT]
