"""The one dbt-duckdb plugin (transforms.udfs.plugin): listed in profiles.yml, it registers every UDF."""

from __future__ import annotations

import duckdb
import yaml

from transforms.config import REPO_ROOT
from transforms.udfs import register

PROFILES = REPO_ROOT / "dbt_project" / "profiles.yml"


def test_profiles_list_the_one_plugin():
    outputs = yaml.safe_load(PROFILES.read_text())["hscp_indicators"]["outputs"]
    assert [[p["module"] for p in target["plugins"]] for target in outputs.values()] == [["transforms.udfs.plugin"]]


def test_register_is_idempotent_and_plugin_loads():
    from dbt.adapters.duckdb.plugins import BasePlugin

    from transforms.udfs.plugin import Plugin

    con = duckdb.connect(":memory:")
    try:
        register(con)
        register(con)  # second call replaces, does not fail
        plugin = BasePlugin.create("transforms.udfs.plugin")
        assert isinstance(plugin, Plugin)
        con2 = duckdb.connect(":memory:")
        try:
            plugin.configure_connection(con2)
            assert con2.execute("select compare_with_benchmark(1, 2, 0)").fetchone()[0] == "higher"
            got = con2.execute(
                "select ppa_condition('I500', null, null, null, null, null), "
                "is_fall_admission('35', 'S720', 'W010', null, null, null, null)"
            ).fetchone()
            assert got == ("Congestive heart failure", True)
        finally:
            con2.close()
    finally:
        con.close()
