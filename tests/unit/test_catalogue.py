"""The catalogue is complete, consistent with the dbt marts, and the docs match it."""

import pytest
import yaml

from transforms.catalogue import (CATALOGUE_DIR, DOCS_PAGE, CatalogueError, load_catalogue,
                                  render_markdown)
from transforms.config import REPO_ROOT as REPO


def test_every_indicator_has_a_mart_model_with_documentation():
    for ind in load_catalogue():
        model_dir = list((REPO / "dbt_project" / "models" / "marts").rglob(f"{ind.mart}.sql"))
        assert model_dir, f"{ind.id}: no dbt model {ind.mart}.sql"
        spec = yaml.safe_load(model_dir[0].with_suffix(".yml").read_text())
        model = spec["models"][0]
        assert model["name"] == ind.mart and model["config"]["meta"]["indicator_id"] == ind.id


def test_docs_page_is_generated_from_the_catalogue():
    assert DOCS_PAGE.read_text() == render_markdown(load_catalogue()), \
        "docs/indicators.md is stale: run `python -m transforms docs`"


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
