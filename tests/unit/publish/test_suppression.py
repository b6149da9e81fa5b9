"""Disclosure control (transforms.publish.suppression): small counts are suppressed and cannot be recovered."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from tests.unit.publish.mart_rows import hscp_with_localities, row
from transforms.config import ConfigError, load_config
from transforms.publish import suppression
from transforms.publish.suppression import age_partitions, suppress

AGES = ["<18", "18-64", "65+", "75+"]


def suppressed(out: pd.DataFrame) -> pd.Series:
    return out["quality_marker"] == "c"


def by_code(out: pd.DataFrame) -> pd.DataFrame:
    return out.set_index("geography_code")


# --- the primary rule ---------------------------------------------------------------------------


def test_counts_from_one_to_four_are_suppressed_and_zeros_and_five_are_not():
    frame = pd.DataFrame([row("hscp", f"H{n}", n, hscp=f"H{n}") for n in range(7)])
    out, report = suppress(frame, complementary=False)
    small = out["geography_code"].isin(["H1", "H2", "H3", "H4"])
    assert suppressed(out).tolist() == small.tolist()
    hidden = [
        "numerator",
        "value",
        "ci95_lower",
        "ci95_upper",
        "ci998_lower",
        "ci998_upper",
        "compared_with_scotland_95",
    ]
    assert out.loc[small, hidden].isna().all().all()
    assert out.loc[~small, hidden].notna().all().all()
    assert (out["denominator"] == frame["denominator"]).all()  # populations are public
    assert out.loc[~small, "numerator"].tolist() == [0, 5, 6]
    assert report.primary == 4 and report.complementary == 0


def test_the_threshold_is_configurable():
    frame = pd.DataFrame([row("hscp", f"H{n}", n, hscp=f"H{n}") for n in (3, 7, 10)])
    out, report = suppress(frame, threshold=10, complementary=False)
    assert suppressed(out).tolist() == [True, True, False] and report.threshold == 10
    assert load_config(environ={}).disclosure_threshold == suppression.DEFAULT_THRESHOLD == 5
    assert load_config(environ={"HSCP_DISCLOSURE__THRESHOLD": "10"}).disclosure_threshold == 10
    for bad in ("0", "five"):
        with pytest.raises(ConfigError, match="disclosure.threshold"):
            load_config(environ={"HSCP_DISCLOSURE__THRESHOLD": bad})


def test_a_percentage_also_protects_a_small_denominator_and_a_small_complement():
    frame = pd.DataFrame(
        [
            row("hscp", "H1", 0, hscp="H1", denominator=3, method="percentage", multiplier=100),  # 0 of 3 people
            row("hscp", "H2", 98, hscp="H2", denominator=100, method="percentage", multiplier=100),  # all but 2
            row("hscp", "H3", 40, hscp="H3", denominator=100, method="percentage", multiplier=100),
        ]
    )
    out = by_code(suppress(frame, complementary=False)[0])
    assert suppressed(out).to_dict() == {"H1": True, "H2": True, "H3": False}
    # A percentage's denominator counts people: hidden with the row, or subtraction would find it.
    assert out.loc[["H1", "H2"], ["numerator", "denominator", "value"]].isna().all().all()
    assert out.loc["H3", "denominator"] == 100


def test_an_arrow_table_keeps_its_schema_and_row_order():
    frame = pd.DataFrame(hscp_with_localities([12, 7, 9]))
    table = pa.Table.from_pandas(frame, preserve_index=False)
    out, report = suppress(table)
    assert out.schema == table.schema and out.equals(table)  # nothing small: nothing changed
    assert report.primary == report.complementary == 0


# --- recovery by subtraction --------------------------------------------------------------------


def test_a_lone_suppressed_locality_takes_the_next_smallest_non_zero_one_with_it():
    out = by_code(suppress(pd.DataFrame(hscp_with_localities([3, 0, 9, 6, 20])))[0])
    assert suppressed(out).to_dict() == {
        "H1L0": True,
        "H1L1": False,
        "H1L2": False,
        "H1L3": True,
        "H1L4": False,
        "H1": False,
    }
    # The HSCP minus the published localities is now the sum of two cells, not one.
    published = out.loc[["H1L1", "H1L2", "H1L4"], "numerator"].sum()
    assert out.loc["H1", "numerator"] - published == 3 + 6


def test_two_suppressed_localities_need_no_third():
    out, report = suppress(pd.DataFrame(hscp_with_localities([3, 2, 9, 6])))
    assert suppressed(out).sum() == 2 and report.complementary == 0


def test_a_lone_suppressed_simd_quintile_is_protected():
    counts = zip(range(1, 6), [30, 12, 2, 15, 8], strict=True)
    rows = [row("hscp", "H1", n, hscp="H1", quintile=str(q)) for q, n in counts]
    rows.append(row("hscp", "H1", 67, hscp="H1"))
    out = suppress(pd.DataFrame(rows))[0].set_index("simd_quintile")
    assert suppressed(out).to_dict() == {"1": False, "2": False, "3": True, "4": False, "5": True, "all": False}


def test_age_groups_are_partitions_with_a_left_out_stretch():
    assert ("All ages", ("<18", "18-64", "65+"), False) in age_partitions(["All ages", *AGES])
    assert ("65+", ("75+",), True) in age_partitions(["All ages", *AGES])  # 65-74 is not published
    # 65+ minus 75+ would give 2 people aged 65-74, so one of the two is suppressed.
    counts = zip(["All ages", *AGES], [40, 10, 23, 7, 5], strict=True)
    rows = [row("hscp", "H1", n, hscp="H1", age=a) for a, n in counts]
    out = suppress(pd.DataFrame(rows))[0].set_index("age_group")
    assert suppressed(out)[["65+", "75+"]].any()
    shown = out.loc[["65+", "75+"], "numerator"]
    assert shown.isna().any()


def test_a_suppressed_scotland_value_is_not_repeated_on_other_areas():
    rows = [
        row("scotland", "S92000003", 3),
        row("health_board", "B1", 3, hb="B1"),
        row("hscp", "H1", 3, hscp="H1", hb="B1"),
        row("scotland", "S92000003", 40, age="65+"),
    ]
    out = suppress(pd.DataFrame(rows))[0]
    assert out.loc[out["age_group"] == "All ages", "scotland_value"].isna().all()
    assert out.loc[out["age_group"] == "65+", "scotland_value"].notna().all()


def test_a_linked_indicator_is_suppressed_where_its_count_is():
    admissions = hscp_with_localities([3, 12, 9], indicator="adm")
    bed_days = hscp_with_localities([40, 70, 55], indicator="bed_days")  # 40 bed days of 3 stays
    out, report = suppress(pd.DataFrame(admissions + bed_days), linked={"bed_days": "adm"})
    hidden = out.loc[suppressed(out)].groupby("indicator_id")["geography_code"].apply(set).to_dict()
    assert hidden["adm"] <= hidden["bed_days"] and "H1L0" in hidden["bed_days"]
    assert report.linked >= 1


def _groups_with_one_unknown(out: pd.DataFrame) -> list:
    """Independently of the module: every published total whose parts leave exactly one of them hidden."""
    hidden = out.set_index(["geography_code", "simd_quintile", "age_group"])["quality_marker"].eq("c").to_dict()
    found = []
    for child, parent in (("locality", "hscp2019"), ("hscp", "hb2019"), ("health_board", None)):
        rows = out[out["geography_level"] == child].assign(parent=out[parent] if parent else "S92000003")
        for (q, age, code), group in rows.groupby(["simd_quintile", "age_group", "parent"]):
            if not hidden[(code, q, age)] and (group["quality_marker"] == "c").sum() == 1:
                found.append((child, code, q, age))
    quintiles = out[out["simd_quintile"] != "all"]
    for (code, age), group in quintiles.groupby(["geography_code", "age_group"]):
        if not hidden[(code, "all", age)] and (group["quality_marker"] == "c").sum() == 1:
            found.append(("quintiles", code, age))
    for (code, q), group in out.groupby(["geography_code", "simd_quintile"]):
        ages = group.set_index("age_group")
        if not hidden[(code, q, "All ages")] and ages.loc[["<18", "18-64", "65+"], "quality_marker"].eq("c").sum() == 1:
            found.append(("ages", code, q))
        if not ages.loc[["65+", "75+"], "quality_marker"].eq("c").any():
            if 0 < ages.loc["65+", "numerator"] - ages.loc["75+", "numerator"] < 5:
                found.append(("65-74", code, q))
    return found


def _random_release(seed: int) -> pd.DataFrame:
    """Two boards, five HSCPs, localities, quintiles and age groups with many small counts, all adding up."""
    rng = np.random.default_rng(seed)
    layout = {"B1": {"H1": 3, "H2": 4}, "B2": {"H3": 2, "H4": 5, "H5": 3}}
    base = []
    for hb, hscps in layout.items():
        for hscp, n_loc in hscps.items():
            for loc in range(n_loc):
                for quintile in "12345":
                    under18, adults, aged65_74, aged75 = rng.poisson(rng.choice([0.3, 1.5, 5.0]), size=4)
                    base.append(
                        {
                            "hb": hb,
                            "hscp": hscp,
                            "loc": f"{hscp}L{loc}",
                            "q": quintile,
                            "scot": "S92000003",
                            "<18": under18,
                            "18-64": adults,
                            "65+": aged65_74 + aged75,
                            "75+": aged75,
                            "All ages": under18 + adults + aged65_74 + aged75,
                        }
                    )
    cells = pd.DataFrame(base)
    ages = ["All ages", *AGES]
    rows = []
    for level, keys, by_quintile in (
        ("locality", ["loc", "hscp", "hb"], False),
        ("hscp", ["hscp", "hb"], True),
        ("health_board", ["hb"], True),
        ("scotland", ["scot"], True),
    ):
        for q in ["all", *"12345"] if by_quintile else ["all"]:
            part = cells if q == "all" else cells[cells["q"] == q]
            for key, counts in part.groupby(keys)[ages].sum().iterrows():
                key = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=False))
                for age in ages:
                    rows.append(
                        row(
                            level,
                            key[keys[0]],
                            int(counts[age]),
                            hscp=key.get("hscp"),
                            hb=key.get("hb"),
                            age=age,
                            quintile=q,
                        )
                    )
    return pd.DataFrame(rows)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_small_count_is_published_or_recoverable_by_subtraction(seed):
    frame = _random_release(seed)
    assert frame["numerator"].between(1, 4).sum() > 20  # the test has work to do
    out, report = suppress(frame)
    shown = out["numerator"].dropna()
    assert not ((shown > 0) & (shown < 5)).any()
    assert _groups_with_one_unknown(out) == []
    assert report.complementary > 0
    assert (suppressed(out) == out["numerator"].isna()).all()
