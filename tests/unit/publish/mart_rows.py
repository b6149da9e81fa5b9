"""Long-format mart rows for the suppression and release-scan tests."""

from __future__ import annotations


def row(
    level,
    code,
    numerator,
    *,
    hscp=None,
    hb=None,
    age="All ages",
    quintile="all",
    indicator="adm",
    denominator=1000,
    method="crude rate",
    multiplier=1000,
):
    """One long-format row as a mart has it, with a value and intervals to be hidden."""
    value = multiplier * numerator / denominator if denominator else None
    return {
        "indicator_id": indicator,
        "period": "2022/23",
        "geography_level": level,
        "geography_code": code,
        "geography_name": f"Area {code}",
        "hscp2019": hscp,
        "hb2019": hb,
        "simd_quintile": quintile,
        "sex": "Persons",
        "age_group": age,
        "numerator": numerator,
        "denominator": denominator,
        "value": value,
        "ci95_lower": value,
        "ci95_upper": value,
        "ci998_lower": value,
        "ci998_upper": value,
        "method": method,
        "multiplier": multiplier,
        "scotland_value": 5.0,
        "compared_with_scotland_95": "not different",
        "quality_marker": None,
    }


def hscp_with_localities(counts, hscp="H1", hb="B1", **kw):
    """Localities of one HSCP with the given numerators, and the HSCP row holding their sum."""
    rows = [row("locality", f"{hscp}L{i}", n, hscp=hscp, hb=hb, **kw) for i, n in enumerate(counts)]
    return rows + [row("hscp", hscp, sum(counts), hscp=hscp, hb=hb, **kw)]
