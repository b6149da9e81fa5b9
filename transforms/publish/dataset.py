"""Every mart in one long table with one schema, written as a hive-partitioned Parquet dataset.

dbt writes one Parquet file per indicator. Analysts want one place to query, split
the way they filter:

    indicators/geography_level=<level>/indicator_id=<id>/part-0.parquet

read by DuckDB (`read_parquet('indicators/**/*.parquet', hive_partitioning=true)`),
pandas and pyarrow (`pd.read_parquet('indicators')`) or R arrow
(`open_dataset('indicators')`) without knowing the marts.

* One schema for every part: marts are unioned by column name, the core columns
  (CORE_TYPES) first in a fixed order and type, other columns after the column they
  follow in their mart, missing ones null; so the parts of all indicators read as
  one table without `union_by_name`.
* The partition columns are in the path only (hive style): pyarrow refuses a column
  that is both in the path and in the file.
* The same rows give the same bytes: rows sorted on every column, fixed writer
  settings, no pandas or timestamp metadata (tests/integration/test_idempotency.py).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

DATASET_DIR = "indicators"
PARTITIONS = ("geography_level", "indicator_id")
PART_FILE = "part-0.parquet"

# Core columns of every mart and their published type; None: the common type of the
# marts (integer when every mart has integers, else float64), so counts stay integers.
CORE_TYPES: dict[str, pa.DataType | None] = {
    "indicator_id": pa.string(),
    "period": pa.string(),
    "period_type": pa.string(),
    "period_start": pa.date32(),
    "geography_level": pa.string(),
    "geography_code": pa.string(),
    "geography_name": pa.string(),
    "hscp2019": pa.string(),
    "hb2019": pa.string(),
    "simd_quintile": pa.string(),
    "sex": pa.string(),
    "age_group": pa.string(),
    "numerator": None,
    "denominator": None,
    "value": pa.float64(),
    "ci95_lower": pa.float64(),
    "ci95_upper": pa.float64(),
    "ci998_lower": pa.float64(),
    "ci998_upper": pa.float64(),
    "method": pa.string(),
    "multiplier": None,
    "scotland_value": pa.float64(),
    "compared_with_scotland_95": pa.string(),
    "quality_marker": pa.string(),
    "locality_lookup_basis": pa.string(),
    "is_synthetic": pa.bool_(),
    "source_vintage": pa.string(),
}
# Rows are sorted on these first (then on every other column, for a total order).
SORT_KEYS = (
    "indicator_id",
    "geography_level",
    "period_start",
    "period",
    "geography_code",
    "simd_quintile",
    "sex",
    "age_group",
)
ROW_GROUP_ROWS = 1 << 17
_SAFE_PARTITION_VALUE = re.compile(r"^[a-z0-9_]{1,100}$")


def _common_type(types: Sequence[pa.DataType], name: str) -> pa.DataType:
    """The one type a column gets across marts: union by name with numeric promotion."""
    types = [t.value_type if pa.types.is_dictionary(t) else t for t in types]
    types = [t for t in types if not pa.types.is_null(t)]
    if not types:
        return pa.float64() if name in CORE_TYPES else pa.string()
    if all(pa.types.is_integer(t) for t in types):
        return pa.int64()
    if all(pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t) for t in types):
        return pa.float64()
    if all(pa.types.is_string(t) or pa.types.is_large_string(t) for t in types):
        return pa.string()
    if all(t == types[0] for t in types):
        return types[0]
    return pa.string()


def _column_order(schemas: Sequence[pa.Schema]) -> list[str]:
    """Core columns in CORE_TYPES order; any other column right after the one it follows in its mart."""
    order = [c for c in CORE_TYPES if c not in PARTITIONS]
    for schema in schemas:
        before = None
        for name in schema.names:
            if name in PARTITIONS:
                continue
            if name not in order:
                order.insert(order.index(before) + 1 if before else len(order), name)
            before = name
    return order


def unify(marts: Iterable[Path]) -> pa.Table:
    """Read the marts and union them by column name into one table with one schema.

    The partition columns (indicator_id, geography_level) must be there and never
    null: they become folder names.
    """
    paths = sorted(Path(m) for m in marts)
    tables = []
    for path in paths:
        table = pq.read_table(path)
        for column in PARTITIONS:
            if column not in table.column_names or table[column].null_count:
                raise ValueError(f"{path}: column {column!r} missing or null; every mart needs it")
        tables.append(table)
    names = _column_order([t.schema for t in tables])
    schema = pa.schema(
        [
            (
                c,
                CORE_TYPES[c]
                if CORE_TYPES.get(c) is not None
                else _common_type([t.schema.field(c).type for t in tables if c in t.column_names], c),
            )
            for c in [*PARTITIONS, *names]
        ]
    )
    unified = []
    for path, table in zip(paths, tables, strict=False):
        columns = []
        for field in schema:
            if field.name in table.column_names:
                column = table[field.name]
                if pa.types.is_dictionary(column.type):
                    column = column.cast(column.type.value_type)
                try:
                    columns.append(column.cast(field.type))
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                    raise ValueError(
                        f"{path}: column {field.name!r} of type {column.type} does not convert to {field.type}: {exc}"
                    ) from exc
            else:
                columns.append(pa.nulls(table.num_rows, field.type))
        unified.append(pa.Table.from_arrays(columns, schema=schema))
    if not unified:
        return schema.empty_table()
    return sort_rows(pa.concat_tables(unified))


def sort_rows(table: pa.Table) -> pa.Table:
    """A total order on the rows (SORT_KEYS, then every other sortable column): same rows, same order."""
    sortable = [f.name for f in table.schema if not (pa.types.is_nested(f.type) or pa.types.is_null(f.type))]
    keys = [k for k in SORT_KEYS if k in sortable] + [k for k in sortable if k not in SORT_KEYS]
    if not keys or table.num_rows == 0:
        return table
    return table.take(pc.sort_indices(table, sort_keys=[(k, "ascending", "at_end") for k in keys]))


def write_parquet(table: pa.Table, path: Path) -> None:
    """Deterministic bytes: no schema metadata, fixed compression and row groups."""
    pq.write_table(
        table.replace_schema_metadata(None),
        path,
        compression="snappy",
        row_group_size=ROW_GROUP_ROWS,
        use_dictionary=True,
        write_statistics=True,
        data_page_version="1.0",
        store_schema=True,
    )


def partitions(table: pa.Table) -> list[tuple[str, str]]:
    """The (geography_level, indicator_id) pairs present, sorted; refuses values unfit for a folder name."""
    pairs = sorted(set(zip(table["geography_level"].to_pylist(), table["indicator_id"].to_pylist(), strict=False)))
    for pair in pairs:
        for column, value in zip(PARTITIONS, pair, strict=False):
            if not isinstance(value, str) or not _SAFE_PARTITION_VALUE.match(value):
                raise ValueError(
                    f"{column} {value!r} cannot name a partition folder (lower-case letters, digits and _ only)"
                )
    return pairs


def write_partitioned(
    table: pa.Table, base: Path, *, private: bool = False, name: str = DATASET_DIR
) -> dict[str, Path]:
    """Write `base/<name>/geography_level=<l>/indicator_id=<i>/part-0.parquet`, one per pair present.

    `name` is the dataset's folder: `indicators` unless another dataset keyed the same
    way (comparisons, funnels, trends) is written.

    Returns each file by its path relative to `base` (as the release lists it).
    `private` makes folders 0o700 and files 0o600 (restricted outputs).
    """
    written = {}
    table = sort_rows(table)
    for level, indicator in partitions(table):
        mask = pc.and_(pc.equal(table["geography_level"], level), pc.equal(table["indicator_id"], indicator))
        part = table.filter(mask).drop_columns(list(PARTITIONS))
        rel = f"{name}/geography_level={level}/indicator_id={indicator}/{PART_FILE}"
        path = base / rel
        _mkdirs(path.parent, base, private)
        write_parquet(part, path)
        if private:
            os.chmod(path, 0o600)
        written[rel] = path
    return written


def _mkdirs(folder: Path, base: Path, private: bool) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if private:
        while folder != base and base in folder.parents:
            os.chmod(folder, 0o700)
            folder = folder.parent


def make_private(path: Path) -> None:
    """Owner-only access to a restricted file or folder tree: folders 0o700, files 0o600."""
    path = Path(path)
    if not path.exists():
        return
    if path.is_dir():
        os.chmod(path, 0o700)
        for root, dirs, files in os.walk(path):
            for d in dirs:
                os.chmod(os.path.join(root, d), 0o700)
            for f in files:
                os.chmod(os.path.join(root, f), 0o600)
    else:
        os.chmod(path, 0o600)


def write_restricted(table: pa.Table, folder: Path) -> dict[str, Path]:
    """Replace `folder` with the dataset of `table`, owner-only (it holds unsuppressed counts).

    Written beside it first and renamed, so a killed publish leaves the previous
    copy or a `.tmp` folder that the next call removes, never a half-written one.
    """
    folder = Path(folder)
    tmp = folder.with_name(folder.name + ".tmp")
    old = folder.with_name(folder.name + ".old")
    for leftover in (tmp, old):
        shutil.rmtree(leftover, ignore_errors=True)
    tmp.mkdir(mode=0o700, parents=True)
    os.chmod(tmp, 0o700)
    written = write_partitioned(table, tmp, private=True)
    if folder.exists():
        os.rename(folder, old)
    os.rename(tmp, folder)
    shutil.rmtree(old, ignore_errors=True)
    return {rel: folder / rel for rel in written}
