"""Validate an input frame against its Great Expectations suite in `expectations/`.

One suite per source, `expectations/<source>.json`, in the GX 1.x JSON layout
(`{"name", "expectations": [{"type", "kwargs", "meta"}], "meta"}`). The suite's
`meta` also carries what GX itself does not know:

* `columns`: {column: "string" | "int" | "date" | "float"}, the typed frame to build;
* `optional_columns`: columns that may be absent (their expectations are then skipped);
* `nullable_columns`: text columns that must be present but may be empty (no not-null
  check; documentation for readers and for the suite tests, not used here);
* `redact_columns`: columns whose values must never be copied into a report
  (the example shows the shape of the value, e.g. `[redacted: shape 9999999999]`);
* `column_aliases`: {other spelling: column}, known renames (e.g. `DataZone` for
  `datazone2011`) that `validate_file` maps back, with a warning;
* `must_contain_reference`: {column: reference set}, every value of the set must
  appear in the column (a data zone that is absent is not a zero);
* `archived_codes`: {column: reference set of current codes}, values the suite
  accepts but that are not current are reported as a warning (they are mapped later).

`validate_file` is the per-file entry point the pipeline's validate step uses: it
reads the file (transforms.inputs.read_input, with its size and line-length limits),
applies the aliases, runs the suite, then the checks GX cannot express (the
admission period and dates after today for SMR01; `must_contain_reference`), and
returns the typed frame, the failures and the warnings. A file that cannot be read
at all is one failure named after the reader's check (e.g. `text_encoding_utf8`).

Validation runs in two phases:

1. Table level: every expectation whose type starts with `expect_table_` (column set,
   row count). These look only at the frame's shape, so they run on a cheap stand-in
   with the same columns and row count. If any fails, stop there, so a missing column
   gives one failure that names it instead of a cascade.
2. Column level: the frame is cast to the types in `meta.columns` (values that do not
   cast become null, so the not-null expectations catch them) and the remaining
   expectations run on the typed frame. Every example in a failure carries the
   1-based data row number (CSV line number minus one for the header) and the value
   as it was read, taken from the raw frame at that row.

`value_set` kwargs may be `{"$reference": "<name>"}`; they are replaced at run time by
`reference_sets[name]` (e.g. every valid data zone code).

Great Expectations is imported lazily (Airflow imports this module while parsing DAG
files) and its ephemeral context is built once per process.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

EXPECTATIONS_DIR = Path(__file__).resolve().parent.parent / "expectations"
MAX_EXAMPLES = 5
COLUMN_TYPES = ("string", "int", "date", "float")
DATE_FORMAT = "%Y-%m-%d"
_TABLE_PREFIX = "expect_table_"
_REFERENCE_KEY = "$reference"
_POSITION = "_position"
_SET_LIST_LIMIT = 20  # value sets longer than this are described, not listed, in rules


@dataclass
class Failure:
    source: str
    file: str
    expectation: str
    column: str | None
    rule: str
    unexpected_count: int
    examples: list[dict] = field(default_factory=list)  # [{"row": 1-based, "value": raw}]
    observed: str | None = None  # table-level failures: what was found instead


class ValidationFailed(Exception):
    """Raised by `check_or_raise`; carries the failures and the report written for them."""

    def __init__(self, failures: list[Failure], report_path: Path | None):
        self.failures = list(failures)
        self.report_path = report_path
        super().__init__(self._summary())

    def _summary(self) -> str:
        files = sorted({f.file for f in self.failures})
        lines = [f"{len(self.failures)} validation failure(s) in {', '.join(files)}"]
        for f in self.failures[:3]:
            lines.append("  " + _describe(f))
        if len(self.failures) > 3:
            lines.append(f"  ... and {len(self.failures) - 3} more")
        if self.report_path is not None:
            lines.append(f"  report: {self.report_path}")
        return "\n".join(lines)


class SuiteError(ValueError):
    """The suite file itself is wrong, or a reference set it needs was not supplied."""


def _describe(f: Failure) -> str:
    where = f" on column {f.column}" if f.column else ""
    text = f"{f.file}: {f.expectation}{where}: {f.rule}"
    if f.examples:
        text += f" ({f.unexpected_count} rows); e.g. " + ", ".join(
            f"{e['value']!r}" if e.get("row") is None else f"row {e['row']}: {e['value']!r}"
            for e in f.examples[:3])
    elif f.observed:
        text += f"; {f.observed}"
    return text


def describe(f: Failure) -> str:
    """One line naming the file, the expectation, the column, the rule and example rows."""
    return _describe(f)


# --------------------------------------------------------------------------- suites

def suite_path(source: str) -> Path:
    return EXPECTATIONS_DIR / f"{source}.json"


def load_suite(source: str) -> dict:
    path = suite_path(source)
    if not path.is_file():
        raise SuiteError(f"no expectation suite for source {source!r} (looked for {path})")
    suite = json.loads(path.read_text(encoding="utf-8"))
    columns = suite.get("meta", {}).get("columns")
    if not isinstance(columns, dict) or not columns:
        raise SuiteError(f"{path}: meta.columns must map every column to a type")
    bad = {c: t for c, t in columns.items() if t not in COLUMN_TYPES}
    if bad:
        raise SuiteError(f"{path}: unknown column types {bad}; use one of {COLUMN_TYPES}")
    meta = suite["meta"]
    for key in ("column_aliases", "must_contain_reference", "archived_codes"):
        mapping = meta.get(key, {})
        targets = mapping.values() if key == "column_aliases" else mapping.keys()
        if not isinstance(mapping, dict) or not set(targets) <= set(columns):
            raise SuiteError(f"{path}: meta.{key} must refer only to columns in meta.columns")
    clash = set(meta.get("column_aliases", {})) & set(columns)
    if clash:
        raise SuiteError(f"{path}: meta.column_aliases renames real columns {sorted(clash)}")
    return suite


def _resolve_references(value: Any, reference_sets: dict[str, set[str]] | None, where: str) -> Any:
    if isinstance(value, dict):
        if set(value) == {_REFERENCE_KEY}:
            name = value[_REFERENCE_KEY]
            if not reference_sets or name not in reference_sets:
                supplied = sorted(reference_sets or {})
                raise SuiteError(f"{where} needs the reference set {name!r}, which was not supplied "
                                 f"(reference_sets has {supplied or 'nothing'})")
            return sorted(reference_sets[name])
        return {k: _resolve_references(v, reference_sets, where) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_references(v, reference_sets, where) for v in value]
    return value


def _columns_of(kwargs: dict) -> list[str]:
    if "column" in kwargs:
        return [kwargs["column"]]
    if "column_A" in kwargs:
        return [kwargs["column_A"], kwargs["column_B"]]
    return list(kwargs.get("column_list", []))


# --------------------------------------------------------------------------- GX context

_GX_STATE: dict[str, Any] = {}


def _batch_definition():
    """The pandas whole-dataframe batch definition of this process's ephemeral context."""
    if _GX_STATE.get("pid") != os.getpid():
        logging.getLogger("great_expectations").setLevel(logging.WARNING)
        import great_expectations as gx
        from great_expectations.data_context.types.base import (
            DataContextConfig,
            InMemoryStoreBackendDefaults,
            ProgressBarsConfig,
        )

        config = DataContextConfig(
            store_backend_defaults=InMemoryStoreBackendDefaults(),
            progress_bars=ProgressBarsConfig(globally=False),
            analytics_enabled=False,
        )
        context = gx.get_context(mode="ephemeral", project_config=config)
        asset = context.data_sources.add_pandas("frames").add_dataframe_asset("frame")
        _GX_STATE.clear()
        _GX_STATE.update(pid=os.getpid(), gx=gx, context=context,
                         batch_definition=asset.add_batch_definition_whole_dataframe("whole"))
    return _GX_STATE["batch_definition"]


def _run_gx(frame: pd.DataFrame, name: str, expectations: list[dict]) -> list[tuple[dict, Any]]:
    """Validate `frame` against `expectations`; return (expectation, GX result) pairs."""
    batch_definition = _batch_definition()
    gx = _GX_STATE["gx"]
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration
    from great_expectations.validator.v1_validator import Validator

    suite = gx.ExpectationSuite(name=name)
    for i, e in enumerate(expectations):
        # GX does not keep the suite's order in its results: tag each one to pair them up.
        suite.add_expectation_configuration(ExpectationConfiguration(
            type=e["type"], kwargs=e["kwargs"], meta={**(e.get("meta") or {}), _POSITION: i}))
    # The validator GX's own ValidationDefinition uses: it loads (and fingerprints) the
    # frame once, where Batch.validate would load it a second time.
    validator = Validator(batch_definition=batch_definition, batch_parameters={"dataframe": frame},
                          result_format={"result_format": "SUMMARY",
                                         "partial_unexpected_count": MAX_EXAMPLES})
    result = validator.validate_expectation_suite(suite)
    paired: list = [None] * len(expectations)
    for r in result.results:
        paired[int(r.expectation_config.meta[_POSITION])] = r
    missing = [expectations[i]["type"] for i, r in enumerate(paired) if r is None]
    if missing:
        raise RuntimeError(f"Great Expectations returned no result for {missing}")
    return list(zip(expectations, paired))


# --------------------------------------------------------------------------- casting

def _cast_string(s: pd.Series) -> pd.Series:
    """Text as pandas' `str` dtype; empty or blank cells (read_csv gives "") become missing."""
    if s.dtype != "str":
        s = s.astype("str")  # pandas' Arrow-backed string dtype; missing stays missing
    return s.mask(s.str.strip() == "")


def _whole_numbers(num: pd.Series) -> pd.Series:
    num = num.astype("float64")
    whole = np.isfinite(num) & (num == np.floor(num)) & (num.abs() < 2**53)
    return num.where(whole).astype("Int64")


def _cast_int(s: pd.Series) -> pd.Series:
    if pd.api.types.is_integer_dtype(s.dtype):
        return s.astype("Int64")
    if pd.api.types.is_bool_dtype(s.dtype):
        return pd.Series(pd.NA, index=s.index, dtype="Int64")
    if pd.api.types.is_numeric_dtype(s.dtype):
        return _whole_numbers(s)
    # Text: plain digit strings go through Arrow (fast); anything else ("12.0", "1e3",
    # "abc") through pd.to_numeric, keeping only whole numbers.
    text = s.astype("str").str.strip()
    plain = text.str.fullmatch(r"-?[0-9]{1,15}").fillna(False).astype(bool)
    out = text.where(plain).astype("int64[pyarrow]").astype("Int64")
    rest = ~plain & text.notna() & (text != "")
    if rest.any():
        out[rest] = _whole_numbers(pd.to_numeric(text[rest], errors="coerce"))
    return out


def _cast_float(s: pd.Series) -> pd.Series:
    if not pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
        s = pd.to_numeric(s.astype("str").str.strip(), errors="coerce")
    out = s.astype("float64")
    return out.where(np.isfinite(out)).astype("Float64")


def _cast_date(s: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        out = s.dt.tz_localize(None) if getattr(s.dt, "tz", None) is not None else s
        return out.astype("datetime64[ns]")
    if s.dtype == object:
        first = s.dropna()
        first = first.iloc[0] if len(first) else None
        if first is not None and not isinstance(first, str):  # datetime.date objects from Parquet
            return pd.to_datetime(s, errors="coerce").astype("datetime64[ns]")
    text = s.astype("str").str.strip()
    return pd.to_datetime(text, format=DATE_FORMAT, errors="coerce").astype("datetime64[ns]")


_CASTS = {"string": _cast_string, "int": _cast_int, "float": _cast_float, "date": _cast_date}


def cast_frame(raw: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """The typed frame: the suite's columns that are present, in suite order, RangeIndex.

    string -> pandas `str`, int -> nullable `Int64`, float -> `Float64`,
    date -> `datetime64[ns]`; values that do not cast become missing.
    """
    raw = raw.reset_index(drop=True)
    return pd.DataFrame({c: _CASTS[t](raw[c]) for c, t in columns.items() if c in raw.columns},
                        index=raw.index)


def _shape_only(raw: pd.DataFrame) -> pd.DataFrame:
    """A stand-in with the same columns (in order) and row count for the table-level phase.

    Table expectations look only at the shape; GX fingerprints every batch by hashing all
    its values (about 4 s for 4 million rows of 11 text columns), and a one-category
    column hashes in milliseconds.
    """
    filler = pd.Categorical.from_codes(np.zeros(len(raw), dtype=np.int8), categories=["."])
    stand_in = pd.DataFrame({i: filler for i in range(raw.shape[1])}, index=raw.index)
    stand_in.columns = raw.columns
    return stand_in


def _gx_view(typed: pd.DataFrame) -> pd.DataFrame:
    """The typed frame as GX's pandas engine handles fastest: numeric columns as float64.

    GX 1.24 compares column values with bounds row by row in Python unless the column's
    dtype is numpy int64/float64 (about 10 s per column at 4 million rows for `Int64`).
    Whole numbers below 2**53 are exact in float64, and missing values become NaN.
    """
    return pd.DataFrame({c: (s.astype("float64") if isinstance(s.dtype, (pd.Int64Dtype, pd.Float64Dtype))
                             else s) for c, s in typed.items()}, index=typed.index)


# --------------------------------------------------------------------------- rules

def _fmt_set(values: list, ref_name: str | None) -> str:
    if ref_name is not None:
        return f"in reference set '{ref_name}' ({len(values)} values)"
    if len(values) > _SET_LIST_LIMIT:
        return f"one of {len(values)} allowed values"
    return "one of {" + ", ".join(str(v) for v in values) + "}"


def _fmt_range(kw: dict) -> str:
    lo, hi = kw.get("min_value"), kw.get("max_value")
    lo_op = ">" if kw.get("strict_min") else ">="
    hi_op = "<" if kw.get("strict_max") else "<="
    if lo is not None and hi is not None and not kw.get("strict_min") and not kw.get("strict_max"):
        return f"between {lo} and {hi}" if lo != hi else f"exactly {lo}"
    parts = ([f"{lo_op} {lo}"] if lo is not None else []) + ([f"{hi_op} {hi}"] if hi is not None else [])
    return " and ".join(parts) or "any value"


def rule_text(expectation: dict, column_types: dict[str, str] | None = None) -> str:
    """A human-readable statement of what the expectation requires."""
    meta = expectation.get("meta") or {}
    if meta.get("rule"):
        return str(meta["rule"])
    t, kw = expectation["type"], expectation.get("kwargs", {})
    ref = kw.get("value_set", {}).get(_REFERENCE_KEY) if isinstance(kw.get("value_set"), dict) else None
    resolved_set = kw.get("value_set") if isinstance(kw.get("value_set"), list) else []
    if "_reference" in meta:
        ref = meta["_reference"]
    col_type = (column_types or {}).get(kw.get("column", ""), "string")
    if t == "expect_column_values_to_not_be_null":
        return {"int": "values must be present and be whole numbers",
                "float": "values must be present and be numbers",
                "date": "values must be present and be dates written YYYY-MM-DD"}.get(
                    col_type, "values must be present (not empty)")
    if t == "expect_column_values_to_match_regex":
        return f"values must match {kw['regex']}"
    if t == "expect_column_values_to_not_match_regex":
        return f"values must not match {kw['regex']}"
    if t == "expect_column_values_to_be_in_set":
        return "values must be " + _fmt_set(resolved_set, ref)
    if t == "expect_column_values_to_not_be_in_set":
        return "values must not be " + _fmt_set(resolved_set, ref)
    if t == "expect_column_values_to_be_between":
        return "values must be " + _fmt_range(kw)
    if t == "expect_column_values_to_be_unique":
        return "values must be unique"
    if t == "expect_compound_columns_to_be_unique":
        return "each combination of (" + ", ".join(kw["column_list"]) + ") must be unique"
    if t == "expect_select_column_values_to_be_unique_within_record":
        return "values must differ within each row"
    if t == "expect_column_pair_values_a_to_be_greater_than_b":
        op = ">=" if kw.get("or_equal") else ">"
        return f"{kw['column_A']} must be {op} {kw['column_B']}"
    if t == "expect_column_pair_values_to_be_equal":
        return f"{kw['column_A']} must equal {kw['column_B']}"
    if t == "expect_table_columns_to_match_set":
        how = "exactly" if kw.get("exact_match", True) else "at least"
        return f"columns must be {how}: " + ", ".join(kw["column_set"])
    if t == "expect_table_columns_to_match_ordered_list":
        return "columns must be, in order: " + ", ".join(kw["column_list"])
    if t == "expect_table_row_count_to_equal":
        return f"row count must be exactly {kw['value']}"
    if t == "expect_table_row_count_to_be_between":
        return "row count must be " + _fmt_range(kw)
    if t == "expect_column_to_exist":
        return f"column {kw['column']} must be present"
    args = ", ".join(f"{k}={v!r}" for k, v in kw.items() if k != "value_set")
    return f"{t}({args})"


# --------------------------------------------------------------------------- examples

def _plain(value: Any) -> Any:
    """A JSON- and Markdown-friendly version of a raw cell."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
        if isinstance(value, float) and np.isnan(value):
            return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return value.isoformat()
    return value


def _shape(value: Any) -> str:
    """Enough to see what is wrong with a sensitive value without copying it."""
    if value is None:
        return "[redacted: empty]"
    text = str(value)
    shape = re.sub(r"[0-9]", "9", re.sub(r"[a-z]", "a", re.sub(r"[A-Z]", "A", text)))
    return f"[redacted: shape {shape}]"


def _examples(raw: pd.DataFrame, positions: list[int], columns: list[str],
              redact: set[str]) -> list[dict]:
    out = []
    for pos in positions[:MAX_EXAMPLES]:
        cells = {}
        for c in columns:
            v = _plain(raw[c].iat[int(pos)]) if c in raw.columns else None
            cells[c] = _shape(v) if c in redact else v
        value = cells[columns[0]] if len(columns) == 1 else cells
        out.append({"row": int(pos) + 1, "value": value})
    return out


# --------------------------------------------------------------------------- validation

def _table_failure(source: str, file_label: str, expectation: dict, result) -> Failure:
    t, kw = expectation["type"], expectation["kwargs"]
    res = result.result or {}
    column, observed, count = None, None, 1
    if t in ("expect_table_columns_to_match_set", "expect_table_columns_to_match_ordered_list"):
        mismatched = (res.get("details") or {}).get("mismatched") or {}
        if isinstance(mismatched, dict):
            missing = list(mismatched.get("missing") or [])
            unexpected = list(mismatched.get("unexpected") or [])
        else:  # ordered list: a list of {"Expected", "Found"} pairs
            missing = [m.get("Expected") for m in mismatched if m.get("Expected") is not None]
            unexpected = [m.get("Found") for m in mismatched if m.get("Found") is not None]
            missing, unexpected = [m for m in missing if m not in unexpected], \
                [u for u in unexpected if u not in missing]
        if t == "expect_table_columns_to_match_set" and kw.get("exact_match") is False:
            unexpected = []
        column = ", ".join(missing + unexpected) or None
        parts = []
        if missing:
            parts.append("missing column(s): " + ", ".join(missing))
        if unexpected:
            parts.append("unexpected column(s): " + ", ".join(unexpected))
        observed = "; ".join(parts) or f"found columns: {', '.join(res.get('observed_value') or [])}"
        count = max(1, len(missing) + len(unexpected))
    elif t == "expect_column_to_exist":
        column = kw.get("column")
        observed = f"missing column: {column}"
    elif "observed_value" in res:
        observed = f"observed {_plain(res['observed_value'])}"
    failure = Failure(source, file_label, t, column, rule_text(expectation), count, [], observed)
    _note_exception(failure, result)
    return failure


def _note_exception(failure: Failure, result) -> None:
    info = result.exception_info or {}
    if isinstance(info, dict) and info.get("raised_exception"):
        failure.observed = f"Great Expectations raised: {info.get('exception_message')}"


def _column_failure(source: str, file_label: str, expectation: dict, result, raw: pd.DataFrame,
                    column_types: dict[str, str], redact: set[str]) -> Failure:
    kw = expectation["kwargs"]
    res = result.result or {}
    columns = _columns_of(kw)
    positions = list(res.get("partial_unexpected_index_list") or [])
    positions = [p for p in positions if isinstance(p, (int, np.integer))]
    failure = Failure(
        source=source, file=file_label, expectation=expectation["type"],
        column=", ".join(columns) or None,
        rule=rule_text(expectation, column_types),
        unexpected_count=int(res.get("unexpected_count") or 0),
        examples=_examples(raw, positions, columns, redact),
    )
    if not failure.unexpected_count and "observed_value" in res:
        failure.observed = f"observed {_plain(res['observed_value'])}"
    _note_exception(failure, result)
    return failure


def validate_frame(raw: pd.DataFrame, source: str, file_label: str, *,
                   reference_sets: dict[str, set[str]] | None = None
                   ) -> tuple[pd.DataFrame, list[Failure]]:
    """Run `expectations/<source>.json` on `raw`; return (typed frame, failures).

    When a table-level expectation fails, the column expectations are not run and the
    returned frame is `raw` itself (it cannot be typed without its columns).
    """
    suite = load_suite(source)
    meta = suite.get("meta", {})
    column_types: dict[str, str] = meta["columns"]
    optional = set(meta.get("optional_columns", []))
    redact = set(meta.get("redact_columns", []))
    expectations = []
    for i, e in enumerate(suite.get("expectations", [])):
        where = f"{suite_path(source).name} expectation {i} ({e.get('type')})"
        e_meta = dict(e.get("meta") or {})
        vs = e.get("kwargs", {}).get("value_set")
        if isinstance(vs, dict) and _REFERENCE_KEY in vs:
            e_meta["_reference"] = vs[_REFERENCE_KEY]
        expectations.append({"type": e["type"],
                             "kwargs": _resolve_references(dict(e.get("kwargs", {})), reference_sets, where),
                             "meta": e_meta})

    raw = raw.reset_index(drop=True)
    table_level = [e for e in expectations if e["type"].startswith(_TABLE_PREFIX)]
    column_level = [e for e in expectations if not e["type"].startswith(_TABLE_PREFIX)]

    failures: list[Failure] = []
    if table_level:
        for e, r in _run_gx(_shape_only(raw), f"{source}.table", table_level):
            if not r.success:
                failures.append(_table_failure(source, file_label, e, r))
    if failures:
        return raw, failures

    absent = [c for c in column_types if c not in raw.columns and c not in optional]
    if absent:  # a suite without a column-set expectation still gets one clear failure
        return raw, [Failure(source, file_label, "expect_table_columns_to_match_set", ", ".join(absent),
                             "columns must include: " + ", ".join(c for c in column_types if c not in optional),
                             len(absent), [], "missing column(s): " + ", ".join(absent))]

    typed = cast_frame(raw, column_types)
    runnable = [e for e in column_level if all(c in typed.columns for c in _columns_of(e["kwargs"]))]
    skipped = [e for e in column_level if e not in runnable]
    for e in skipped:
        cols = [c for c in _columns_of(e["kwargs"]) if c not in typed.columns]
        if not set(cols) <= optional:
            raise SuiteError(f"{suite_path(source).name}: {e['type']} refers to column(s) {cols} "
                             "that are not in meta.columns")
    if runnable:
        for e, r in _run_gx(_gx_view(typed), f"{source}.columns", runnable):
            if not r.success:
                failures.append(_column_failure(source, file_label, e, r, raw, column_types, redact))
    return typed, failures


# --------------------------------------------------------------------------- one file

SMR01 = "smr01_episodes"


def read_failure(source: str, file_label: str, exc) -> Failure:
    """The Failure for a file the reader refused (a transforms.sources.files.InputFileError)."""
    return Failure(source=source, file=file_label, expectation=exc.check, column=exc.column,
                   rule=exc.requirement, unexpected_count=exc.count, examples=[], observed=exc.detail)


def apply_aliases(raw: pd.DataFrame, aliases: dict[str, str]) -> tuple[pd.DataFrame, list[str]]:
    """Rename known other spellings of columns (suite `meta.column_aliases`), with warnings.

    A known spelling is renamed only if the real name is not there too; otherwise it is
    left alone and the column-set expectation judges it as an extra column.
    """
    renames, warnings = {}, []
    for column in raw.columns:
        target = aliases.get(column)
        if target is None:
            continue
        if target in raw.columns or target in renames.values():
            warnings.append(f"column {column!r} is a known spelling of {target!r}, which is also present; "
                            f"{column!r} was not renamed")
            continue
        renames[column] = target
        warnings.append(f"renamed column {column!r} to {target!r} (a known spelling)")
    return (raw.rename(columns=renames) if renames else raw), warnings


def _layout_warnings(raw: pd.DataFrame, columns: dict[str, str]) -> list[str]:
    """Benign differences from the contract's column layout (only called when the suite passed)."""
    warnings = []
    present = [c for c in raw.columns if c in columns]
    if present != [c for c in columns if c in raw.columns]:
        warnings.append("columns are in a different order from the contract (" + ", ".join(present)
                        + "); they are matched by name")
    extra = [str(c) for c in raw.columns if c not in columns]
    if extra:
        warnings.append("ignored column(s) not in the contract: " + ", ".join(extra))
    return warnings


def missing_reference_values(raw: pd.DataFrame, source: str, file_label: str,
                             required: dict[str, str], reference_sets: dict[str, set[str]] | None
                             ) -> list[Failure]:
    """`meta.must_contain_reference`: every value of the reference set appears in the column."""
    failures = []
    for column, ref_name in required.items():
        if column not in raw.columns:
            continue  # the column-set expectation has already said so
        if not reference_sets or ref_name not in reference_sets:
            raise SuiteError(f"{suite_path(source).name}: meta.must_contain_reference needs the reference "
                             f"set {ref_name!r}, which was not supplied")
        wanted = reference_sets[ref_name]
        found = set(raw[column].dropna().astype(str))
        missing = sorted(wanted - found)
        if missing:
            failures.append(Failure(
                source=source, file=file_label, expectation="column_contains_every_reference_value",
                column=column,
                rule=f"every value in reference set '{ref_name}' ({len(wanted)} values) must appear: "
                     "a row that is absent is not a zero",
                unexpected_count=len(missing),
                examples=[{"row": None, "value": v} for v in missing[:MAX_EXAMPLES]],
                observed=f"{len(missing)} value(s) absent"))
    return failures


def _archived_warnings(typed: pd.DataFrame, archived: dict[str, str],
                       reference_sets: dict[str, set[str]] | None) -> list[str]:
    warnings = []
    for column, ref_name in archived.items():
        if column not in typed.columns or not reference_sets or ref_name not in reference_sets:
            continue
        values = typed[column].dropna()
        old = values[~values.isin(list(reference_sets[ref_name]))]
        if len(old):
            counts = old.value_counts().sort_index()
            listed = ", ".join(f"{code} ({n:,} rows)" for code, n in counts.items())
            warnings.append(f"archived code(s) in {column}: {listed}; accepted and mapped to the current "
                            "codes in the build")
    return warnings


def period_failures(typed: pd.DataFrame, period, file_label: str, source: str = SMR01) -> list[Failure]:
    """Stays must start inside the configured period, and every month of it must have some.

    `period` has `first_financial_year` and `last_financial_year` (transforms.config.Period).
    """
    first = typed[typed["episode_number"] == 1]
    start = pd.Timestamp(date(period.first_financial_year, 4, 1))
    end = pd.Timestamp(date(period.last_financial_year + 1, 3, 31))
    failures = []
    outside = first[(first["admission_date"] < start) | (first["admission_date"] > end)]
    if len(outside):
        failures.append(Failure(
            source=source, file=file_label, expectation="admission_date_in_period",
            column="admission_date", rule=f"first episodes must be admitted {start:%Y-%m-%d} to {end:%Y-%m-%d}",
            unexpected_count=len(outside),
            examples=[{"row": int(i) + 1, "value": str(v.date())}
                      for i, v in outside["admission_date"].head(MAX_EXAMPLES).items()],
        ))
    months = set(first["admission_date"].dt.to_period("M").astype(str))
    expected = {str(p) for p in pd.period_range(start, end, freq="M")}
    missing = sorted(expected - months)
    if missing:
        failures.append(Failure(
            source=source, file=file_label, expectation="period_fully_covered",
            column="admission_date", rule="every month of the period must have admissions (is the extract complete?)",
            unexpected_count=len(missing), examples=[{"row": None, "value": m} for m in missing[:MAX_EXAMPLES]],
        ))
    return failures


def future_date_failures(typed: pd.DataFrame, file_label: str, columns: tuple[str, ...],
                         today: date | None = None, source: str = SMR01) -> list[Failure]:
    """Dates after today cannot be in an extract of what has happened."""
    today_ts = pd.Timestamp(today or date.today())
    failures = []
    for column in columns:
        late = typed[column][typed[column] > today_ts]
        if len(late):
            failures.append(Failure(
                source=source, file=file_label, expectation=f"{column}_not_in_future", column=column,
                rule=f"dates must not be after the day of validation ({today_ts:%Y-%m-%d})",
                unexpected_count=len(late),
                examples=[{"row": int(i) + 1, "value": str(v.date())} for i, v in late.head(MAX_EXAMPLES).items()]))
    return failures


def validate_file(source: str, path: Path, reference_sets: dict[str, set[str]] | None = None,
                  period=None, *, label: str | None = None, limits=None, today: date | None = None
                  ) -> tuple[pd.DataFrame, list[Failure], list[str]]:
    """Read and validate one input file; return (typed frame, failures, warnings).

    `label` names the file in failures (default: its name). `limits` are the run's
    (`Config.limits_for(source)`; default `sources.files.Limits()`). `period` (transforms.config.Period) turns on
    the SMR01 period checks; `today` is the day after which no date may lie. The typed
    frame is empty if the file could not be read, and untyped if a column is missing.
    Warnings say what was repaired or ignored: byte-order mark, line endings, column
    renames, order or extra columns, archived codes.
    """
    from transforms import inputs  # lazy: inputs imports the synthetic generator

    path = Path(path)
    label = label or path.name
    suite = load_suite(source)
    meta = suite.get("meta", {})
    try:
        raw, warnings = inputs.read_input(path, limits)
    except inputs.InputFileError as exc:
        return pd.DataFrame(), [read_failure(source, label, exc)], []
    raw, alias_warnings = apply_aliases(raw, meta.get("column_aliases", {}))
    warnings = [*warnings, *alias_warnings]
    typed, failures = validate_frame(raw, source, label, reference_sets=reference_sets)
    failures += missing_reference_values(raw, source, label, meta.get("must_contain_reference", {}),
                                         reference_sets)
    if failures:
        return typed, failures, warnings
    if source == SMR01:
        failures += future_date_failures(typed, label, ("admission_date", "discharge_date"), today)
        if period is not None:
            failures += period_failures(typed, period, label)
    warnings += _layout_warnings(raw, meta["columns"])
    warnings += _archived_warnings(typed, meta.get("archived_codes", {}), reference_sets)
    return typed, failures, warnings


def required_reference_sets(source: str) -> set[str]:
    """The reference sets the checks of `source` need (its `$reference`s and `must_contain_reference`)."""
    suite = load_suite(source)
    found: set[str] = set(suite["meta"].get("must_contain_reference", {}).values())

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if set(value) == {_REFERENCE_KEY}:
                found.add(value[_REFERENCE_KEY])
            else:
                for v in value.values():
                    walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for e in suite.get("expectations", []):
        walk(e.get("kwargs", {}))
    return found


def not_checked(source: str, file_label: str, missing: set[str]) -> Failure:
    """The Failure for a file that cannot be checked because an input it is checked against failed."""
    return Failure(source=source, file=file_label, expectation="reference_inputs_valid", column=None,
                   rule="checked against the reference inputs, so only once they pass", unexpected_count=0,
                   observed="not checked: needs the reference set(s) " + ", ".join(sorted(missing))
                            + " from an input that failed validation (see above)")


def add_reference_sets(source: str, typed: pd.DataFrame, reference_sets: dict[str, set[str]]) -> None:
    """Add the code sets a validated input provides for the suites of later inputs."""
    if source == "geography_dz2011":
        reference_sets["datazone2011"] = set(typed["datazone2011"])
        reference_sets["hscp2019"] = set(typed["hscp2019"])
    if source == "geography_code_changes":
        hscp_old = typed.loc[typed["geography_level"] == "hscp", "old_code"]
        reference_sets["hscp2019_any"] = reference_sets.get("hscp2019", set()) | set(hscp_old)


# --------------------------------------------------------------------------- reports

def _md(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("`", "'")


def _md_examples(f: Failure) -> str:
    if not f.examples:
        return _md(f.observed or "")
    parts = []
    for e in f.examples:
        v = e["value"]
        shown = ", ".join(f"{k}={_plain_repr(x)}" for k, x in v.items()) if isinstance(v, dict) else _plain_repr(v)
        parts.append(shown if e.get("row") is None else f"row {e['row']}: {shown}")
    more = f.unexpected_count - len(f.examples)
    return _md("; ".join(parts) + (f"; ... {more} more" if more > 0 else ""))


def _plain_repr(v: Any) -> str:
    if v is None:
        return "(empty)"
    if isinstance(v, str):
        return '"' + v + '"'
    return str(v)


def write_report(failures: list[Failure], path: Path) -> Path:
    """Write a short Markdown report (one section per file) atomically; return its path."""
    path = Path(path)
    lines = ["# Input validation report", ""]
    if not failures:
        lines += ["All expectations passed.", ""]
    by_file: dict[tuple[str, str], list[Failure]] = {}
    for f in failures:
        by_file.setdefault((f.file, f.source), []).append(f)
    for (file_label, source), fs in by_file.items():
        lines += [f"## {file_label}", "",
                  f"Suite `expectations/{source}.json`: {len(fs)} failed expectation(s).", "",
                  "| expectation | column | rule | unexpected | example rows |",
                  "|---|---|---|---:|---|"]
        for f in fs:
            lines.append(f"| {_md(f.expectation)} | {_md(f.column or '(table)')} | {_md(f.rule)} "
                         f"| {f.unexpected_count} | {_md_examples(f)} |")
        lines.append("")
    lines.append("Row numbers count data rows from 1 (the CSV line number minus the header line).")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def check_or_raise(failures: list[Failure], report_path: Path) -> Path:
    """Write the report (also when everything passed) and raise ValidationFailed on failures."""
    path = write_report(failures, report_path)
    if failures:
        raise ValidationFailed(failures, path)
    return path
