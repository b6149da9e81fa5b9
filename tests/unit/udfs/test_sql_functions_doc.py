"""docs/sql_functions.md is generated from the UDF registry, and the registry documents every function."""

from __future__ import annotations

import pkgutil

import duckdb
import pytest

from transforms.udfs import UDF_NAMES, UDFS, register
from transforms.udfs.docs import DOCS_PAGE, render_markdown, write_docs


def test_committed_page_is_the_generated_page():
    assert DOCS_PAGE.read_text(encoding="utf-8") == render_markdown(), (
        "docs/sql_functions.md is stale: regenerate it with `hscp docs`"
    )


def test_write_docs_writes_the_page(tmp_path):
    path = write_docs(tmp_path / "sql_functions.md")
    assert path.read_text(encoding="utf-8") == render_markdown()


@pytest.mark.parametrize("udf", UDFS, ids=UDF_NAMES)
def test_every_udf_is_documented(udf):
    assert udf.summary.strip() and "\n" not in udf.summary
    assert udf.doc.strip()
    assert udf.calls
    for dotted in udf.calls:  # the named function or constant exists
        assert pkgutil.resolve_name(dotted) is not None
    assert len(udf.arg_names) == len(udf.params)
    assert udf.signature.startswith(f"{udf.name}(") and f") -> {udf.return_type}" in udf.signature


def test_every_documented_udf_is_registered():
    conn = register(duckdb.connect(":memory:"))
    try:
        registered = {
            name
            for (name,) in conn.execute(
                "select distinct function_name from duckdb_functions() where function_type = 'scalar'"
            ).fetchall()
        }
    finally:
        conn.close()
    assert set(UDF_NAMES) <= registered
    assert len(UDF_NAMES) == len(set(UDF_NAMES))
    page = render_markdown()
    for udf in UDFS:  # each SQL function is on the page with its full signature
        assert f"\n{udf.signature}\n" in page
