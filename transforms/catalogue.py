"""The indicator catalogue: one YAML file per indicator under catalogue/.

It is the single description of each indicator. The docs page
(docs/indicators.md) is generated from it, and every release carries it as
indicators.json next to the data, so an analyst never needs a second source.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from pathlib import Path

import yaml

from transforms.config import REPO_ROOT

CATALOGUE_DIR = REPO_ROOT / "catalogue"
DOCS_PAGE = REPO_ROOT / "docs" / "indicators.md"
METHODS = {"crude rate", "directly age-standardised rate", "percentage", "count", "ratio", "mean per day",
           "slope index of inequality"}
POLARITIES = {"high is bad", "high is good", "no judgement"}
PERIOD_TYPES = {"financial year", "calendar year", "month", "rolling 3 financial years"}
LEVELS = {"datazone", "intzone", "locality", "hscp", "health_board", "scotland"}


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
    confidence_interval: str
    polarity: str
    period_type: str
    geography_levels: list[str]
    source_extract: str
    mart: str
    caveats: list[str]


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
    if raw["id"] != path.stem:
        raise CatalogueError(f"{path}: id {raw['id']!r} must equal the file name")
    return Indicator(**raw)


def load_catalogue(directory: Path = CATALOGUE_DIR) -> list[Indicator]:
    """Every indicator, sorted by domain then id."""
    items = [_check(yaml.safe_load(p.read_text(encoding="utf-8")), p) for p in sorted(directory.glob("*.yml"))]
    return sorted(items, key=lambda i: (i.domain, i.id))


def as_json_records(indicators: list[Indicator]) -> list[dict]:
    return [asdict(i) for i in indicators]


def render_markdown(indicators: list[Indicator]) -> str:
    """The docs page listing every indicator with its definition."""
    out = ["# Indicators", "",
           "Generated from `catalogue/*.yml` by `python -m transforms docs`; do not edit by hand.", ""]
    for ind in indicators:
        out += [f"## {ind.title}", "", f"`{ind.id}` · {ind.domain} · mart `{ind.mart}`", "",
                ind.definition.strip(), "",
                "| | |", "|---|---|",
                f"| Numerator | {ind.numerator.strip()} |",
                f"| Denominator | {ind.denominator.strip()} |",
                f"| Age groups | {', '.join(ind.age_groups)} |",
                f"| Sex | {ind.sex} |",
                f"| Measure | {ind.method} per {ind.multiplier:,} |",
                f"| Confidence intervals | {ind.confidence_interval} |",
                f"| Polarity | {ind.polarity} |",
                f"| Period | {ind.period_type} |",
                f"| Geographies | {', '.join(ind.geography_levels)} |",
                f"| Source | `{ind.source_extract}` |", ""]
        if ind.caveats:
            out += ["Caveats:", "", *[f"- {c}" for c in ind.caveats], ""]
    return "\n".join(out)
