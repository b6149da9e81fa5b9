"""The dbt-duckdb plugin that registers every UDF of :mod:`transforms.udfs` on dbt's connections.

Listed in ``dbt_project/profiles.yml``::

    plugins:
      - module: transforms.udfs.plugin

dbt-duckdb imports this module, instantiates :class:`Plugin` and calls
``configure_connection`` on each DuckDB connection it opens, so models can
call the functions of docs/sql_functions.md.  It is a module of its own
because it imports dbt, which nothing else in :mod:`transforms.udfs` needs.
"""

from __future__ import annotations

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from transforms.udfs import register

__all__ = ["Plugin"]


class Plugin(BasePlugin):
    """dbt-duckdb plugin that registers the UDFs on every dbt connection."""

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        register(conn)
