"""The catalogue is complete, consistent with the dbt marts, and the docs and dbt macro file match it."""

import re

import pytest
import yaml

from transforms.catalogue import (
    CATALOGUE_DIR,
    CONFIDENCE_LEVELS,
    DBT_MACRO,
    DOCS_PAGE,
    METHODS,
    CatalogueError,
    load_catalogue,
    render_dbt_macro,
    render_markdown,
)
from transforms.config import REPO_ROOT as REPO


def test_every_indicator_has_a_mart_model_with_documentation():
    for ind in load_catalogue():
        model_dir = list((REPO / "dbt_project" / "models" / "marts").rglob(f"{ind.mart}.sql"))
        assert model_dir, f"{ind.id}: no dbt model {ind.mart}.sql"
        folder = model_dir[0].parent
        spec = yaml.safe_load((folder / f"_{folder.name}__models.yml").read_text())
        model = next((m for m in spec["models"] if m["name"] == ind.mart), None)
        assert model, f"{ind.id}: model {ind.mart} not documented in _{folder.name}__models.yml"
        assert model["description"] and model["config"]["meta"]["indicator_id"] == ind.id


def test_docs_page_is_generated_from_the_catalogue():
    assert DOCS_PAGE.read_text() == render_markdown(load_catalogue()), (
        "docs/indicators.md is stale: run `python -m transforms docs`"
    )


def test_an_incomplete_or_invalid_entry_is_refused(tmp_path):
    raw = yaml.safe_load((CATALOGUE_DIR / "emergency_admissions_per_1000.yml").read_text())
    bad = dict(raw, polarity="sometimes good")
    (tmp_path / "emergency_admissions_per_1000.yml").write_text(yaml.safe_dump(bad))
    with pytest.raises(CatalogueError, match="polarity"):
        load_catalogue(tmp_path)
    del raw["numerator"]
    (tmp_path / "emergency_admissions_per_1000.yml").write_text(yaml.safe_dump(raw))
    with pytest.raises(CatalogueError, match="missing fields \\['numerator'\\]"):
        load_catalogue(tmp_path)


def test_dbt_macro_is_generated_from_the_catalogue():
    assert DBT_MACRO.read_text() == render_dbt_macro(load_catalogue()), (
        "dbt_project/macros/catalogue.sql is stale: run `python -m transforms docs`"
    )


def _sql_without_comments(path) -> str:
    return re.sub(r"--[^\n]*", " ", re.sub(r"\{#.*?#\}", " ", path.read_text(), flags=re.DOTALL))


@pytest.mark.parametrize("ind", load_catalogue(), ids=lambda ind: ind.id)
def test_no_mart_restates_what_its_catalogue_entry_says(ind):
    """A mart reads its entry (indicator_mart or catalogue_entry with its id) and names no
    method, multiplier or confidence level of its own."""
    path = next((REPO / "dbt_project" / "models" / "marts").rglob(f"{ind.mart}.sql"))
    sql = _sql_without_comments(path)
    assert re.search(rf"(indicator_mart|catalogue_entry)\(\s*'{ind.id}'", sql), f"{path.name} does not read its entry"
    assert not [m for m in METHODS if f"'{m}'" in sql], f"{path.name} names a method"
    code = re.sub(r"'[^']*'", "''", sql)
    assert not re.search(r"\b(multiplier|method|with_ci|period_type)\s*=", code), (
        f"{path.name} passes a catalogue field"
    )
    assert not re.search(r"\bas\s+(multiplier|method|period_type)\b", code), f"{path.name} writes a catalogue column"
    numbers = {float(n) for n in re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])", code)}
    restated = numbers & {float(ind.multiplier), *CONFIDENCE_LEVELS}
    assert not restated, f"{path.name} restates {sorted(restated)} (multiplier or confidence level)"


def test_a_confidence_level_without_columns_is_refused(tmp_path):
    raw = yaml.safe_load((CATALOGUE_DIR / "emergency_admissions_per_1000.yml").read_text())
    (tmp_path / "emergency_admissions_per_1000.yml").write_text(yaml.safe_dump(dict(raw, confidence_levels=[0.9])))
    with pytest.raises(CatalogueError, match="confidence_levels"):
        load_catalogue(tmp_path)
