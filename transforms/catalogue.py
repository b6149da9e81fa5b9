"""The indicator catalogue: one YAML file per indicator under catalogue/.

It is the single description of each indicator. The docs page
(docs/indicators.md) is generated from it, every release carries it as
indicators.json next to the data, so an analyst never needs a second source, and
the dbt marts read it through the macro file dbt_project/macros/catalogue.sql
(generated too: dbt cannot read YAML files), so that no mart restates a method,
multiplier, age group or confidence level.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import yaml

from transforms.config import REPO_ROOT
from transforms.stats import compare

CATALOGUE_DIR = REPO_ROOT / "catalogue"
DOCS_PAGE = REPO_ROOT / "docs" / "indicators.md"
DBT_MACRO = REPO_ROOT / "dbt_project" / "macros" / "catalogue.sql"
METHODS = {
    "crude rate",
    "directly age-standardised rate",
    "percentage",
    "count",
    "ratio",
    "mean per day",
    "slope index of inequality",
}
POLARITIES = set(compare.POLARITIES)
PERIOD_TYPES = {"financial year", "calendar year", "month", "rolling 3 financial years"}
LEVELS = {"datazone", "intzone", "locality", "hscp", "health_board", "scotland"}
# Confidence levels a mart can fill, and the suffix of their columns (ci95_lower, ...).
CONFIDENCE_LEVELS = {0.95: "95", 0.998: "998"}
# Methods whose improvement opportunity the comparisons compute (docs/methods/comparisons.md).
OPPORTUNITY_METHODS = {"crude rate", "percentage", "directly age-standardised rate"}
# Added to the caveats of every indicator with an improvement opportunity.
OPPORTUNITY_CAVEAT = (
    "Improvement opportunity (comparisons dataset) is arithmetic, not a target: the number of events by which "
    "this area's count would be lower (or, where high is good, higher) if its rate were that of Scotland or of "
    "the best quarter of its peer family, all else equal. It does not say that those events were avoidable, "
    "that the difference has one cause, or what any change would cost; zero means the area is already there."
)


class CatalogueError(ValueError):
    """An indicator file is incomplete or uses a value outside the allowed lists."""


@dataclass(frozen=True)
class Indicator:
    id: str
    title: str
    domain: str
    definition: str
    numerator: str
    denominator: str
    age_groups: list[str]
    sex: str
    multiplier: int
    method: str
    confidence_interval: str  # the method in words, for the docs
    confidence_levels: list[float]  # the levels whose limits the mart fills (CONFIDENCE_LEVELS), [] for none
    polarity: str
    opportunity_unit: str | None  # the events an improvement opportunity counts; None: none is computed
    period_type: str
    geography_levels: list[str]
    source_extract: str
    mart: str
    caveats: list[str]

    @property
    def source_inputs(self) -> list[str]:
        """The pipeline inputs named by source_extract ('a, b' or 'reference (a, b)'), in the pipeline's order."""
        from transforms.inputs import ALL_INPUTS

        inner = re.fullmatch(r"reference \((.*)\)", self.source_extract)
        names = [n.strip() for n in (inner.group(1) if inner else self.source_extract).split(",")]
        return sorted(names, key=ALL_INPUTS.index)


def _check(raw: dict, path: Path) -> Indicator:
    names = {f.name for f in fields(Indicator)}
    missing, unknown = names - raw.keys(), raw.keys() - names
    if missing or unknown:
        raise CatalogueError(f"{path}: missing fields {sorted(missing)}, unknown fields {sorted(unknown)}")
    for name, allowed in (("method", METHODS), ("polarity", POLARITIES), ("period_type", PERIOD_TYPES)):
        if raw[name] not in allowed:
            raise CatalogueError(f"{path}: {name} {raw[name]!r} is not one of {sorted(allowed)}")
    if not set(raw["geography_levels"]) <= LEVELS:
        raise CatalogueError(f"{path}: unknown geography levels {sorted(set(raw['geography_levels']) - LEVELS)}")
    if not set(raw["confidence_levels"]) <= CONFIDENCE_LEVELS.keys():
        raise CatalogueError(
            f"{path}: confidence_levels {raw['confidence_levels']} not among {sorted(CONFIDENCE_LEVELS)}"
        )
    if raw["opportunity_unit"] is not None and (
        raw["polarity"] == "no judgement" or raw["method"] not in OPPORTUNITY_METHODS
    ):
        raise CatalogueError(
            f"{path}: opportunity_unit needs a polarity and one of the methods {sorted(OPPORTUNITY_METHODS)}"
        )
    if raw["opportunity_unit"] is not None and OPPORTUNITY_CAVEAT not in raw["caveats"]:
        raw = {**raw, "caveats": [*raw["caveats"], OPPORTUNITY_CAVEAT]}
    if raw["id"] != path.stem:
        raise CatalogueError(f"{path}: id {raw['id']!r} must equal the file name")
    indicator = Indicator(**raw)
    try:
        _ = indicator.source_inputs  # each named input must be one of the pipeline's
    except ValueError:
        raise CatalogueError(f"{path}: source_extract {raw['source_extract']!r} names an unknown input") from None
    return indicator


def load_catalogue(directory: Path = CATALOGUE_DIR) -> list[Indicator]:
    """Every indicator, sorted by domain then id."""
    items = [_check(yaml.safe_load(p.read_text(encoding="utf-8")), p) for p in sorted(directory.glob("*.yml"))]
    return sorted(items, key=lambda i: (i.domain, i.id))


def as_json_records(indicators: list[Indicator]) -> list[dict]:
    return [asdict(i) for i in indicators]


def render_markdown(indicators: list[Indicator]) -> str:
    """The docs page listing every indicator with its definition."""
    out = [
        "# Indicators",
        "",
        "Generated from `catalogue/*.yml` by `python -m transforms docs`; do not edit by hand.",
        "",
    ]
    for ind in indicators:
        out += [
            f"## {ind.title}",
            "",
            f"`{ind.id}` · {ind.domain} · mart `{ind.mart}`",
            "",
            ind.definition.strip(),
            "",
            "| | |",
            "|---|---|",
            f"| Numerator | {ind.numerator.strip()} |",
            f"| Denominator | {ind.denominator.strip()} |",
            f"| Age groups | {', '.join(ind.age_groups)} |",
            f"| Sex | {ind.sex} |",
            f"| Measure | {ind.method} per {ind.multiplier:,} |",
            f"| Confidence intervals | {ind.confidence_interval} |",
            f"| Polarity | {ind.polarity} |",
            f"| Period | {ind.period_type} |",
            f"| Geographies | {', '.join(ind.geography_levels)} |",
            f"| Source | `{ind.source_extract}` |",
            "",
        ]
        if ind.caveats:
            out += ["Caveats:", "", *[f"- {c}" for c in ind.caveats], ""]
    return "\n".join(out)


def dbt_entry(ind: Indicator) -> dict:
    """What a dbt mart reads of an indicator (macro catalogue_entry)."""
    return {
        "id": ind.id,
        "method": ind.method,
        "multiplier": ind.multiplier,
        "sex": ind.sex,
        "age_groups": ind.age_groups,
        "confidence_levels": [{"level": level, "suffix": CONFIDENCE_LEVELS[level]} for level in ind.confidence_levels],
        "polarity": ind.polarity,
        "opportunity_unit": ind.opportunity_unit or "",  # '' for none: JSON's null is not Jinja
        "period_type": ind.period_type,
        "geography_levels": ind.geography_levels,
        "source_inputs": ind.source_inputs,
        "mart": ind.mart,
    }


def render_dbt_macro(indicators: list[Indicator]) -> str:
    """dbt_project/macros/catalogue.sql: `catalogue_entries()` returns every entry by id as a dict
    (JSON is Jinja), `catalogue_entry(id)` one of them."""
    lines = [
        "{#- Generated from catalogue/*.yml by `python -m transforms docs`; do not edit by hand.",
        "    catalogue_entries(): what the models read of every indicator's catalogue entry, by id",
        "    (transforms.catalogue.dbt_entry); catalogue_entry(id): one of them (an unknown id is",
        "    a compiler error). -#}",
        "{% macro catalogue_entries() %}",
        "{{ return({",
        ",\n".join(
            f"    {json.dumps(i.id)}: {json.dumps(dbt_entry(i), ensure_ascii=False)}"
            for i in sorted(indicators, key=lambda i: i.id)
        ),
        "}) }}",
        "{% endmacro %}",
        "",
        "{% macro catalogue_entry(indicator_id) %}",
        "{%- set entries = catalogue_entries() -%}",
        "{%- if indicator_id not in entries -%}",
        '    {{ exceptions.raise_compiler_error("no catalogue entry \'" ~ indicator_id ~ "\' in catalogue/") }}',
        "{%- endif -%}",
        "{{ return(entries[indicator_id]) }}",
        "{% endmacro %}",
        "",
    ]
    return "\n".join(lines)
