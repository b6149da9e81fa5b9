"""The GX suites in `expectations/`: loading them, resolving their reference sets,
running them with Great Expectations 1.x, and saying in words what each expectation requires.

Great Expectations is imported lazily (Airflow imports this package while parsing DAG
files) and its ephemeral context is built once per process.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from transforms.validate.casting import COLUMN_TYPES
from transforms.validate.report import MAX_EXAMPLES, Failure, example_rows, plain_value

EXPECTATIONS_DIR = Path(__file__).resolve().parents[2] / "expectations"
TABLE_PREFIX = "expect_table_"
REFERENCE_KEY = "$reference"
_POSITION = "_position"
_SET_LIST_LIMIT = 20  # value sets longer than this are described, not listed, in rules


# --------------------------------------------------------------------------- suites


class SuiteError(ValueError):
    """The suite file itself is wrong, or a reference set it needs was not supplied."""


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
        if set(value) == {REFERENCE_KEY}:
            name = value[REFERENCE_KEY]
            if not reference_sets or name not in reference_sets:
                supplied = sorted(reference_sets or {})
                raise SuiteError(
                    f"{where} needs the reference set {name!r}, which was not supplied "
                    f"(reference_sets has {supplied or 'nothing'})"
                )
            return sorted(reference_sets[name])
        return {k: _resolve_references(v, reference_sets, where) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_references(v, reference_sets, where) for v in value]
    return value


def resolved_expectations(source: str, suite: dict, reference_sets: dict[str, set[str]] | None) -> list[dict]:
    """The suite's expectations with each `{"$reference": name}` replaced by that reference set.

    The name stays in the expectation's `meta._reference`, for its rule text.
    """
    expectations = []
    for i, e in enumerate(suite.get("expectations", [])):
        where = f"{suite_path(source).name} expectation {i} ({e.get('type')})"
        e_meta = dict(e.get("meta") or {})
        vs = e.get("kwargs", {}).get("value_set")
        if isinstance(vs, dict) and REFERENCE_KEY in vs:
            e_meta["_reference"] = vs[REFERENCE_KEY]
        expectations.append(
            {
                "type": e["type"],
                "kwargs": _resolve_references(dict(e.get("kwargs", {})), reference_sets, where),
                "meta": e_meta,
            }
        )
    return expectations


def columns_of(kwargs: dict) -> list[str]:
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
        _GX_STATE.update(
            pid=os.getpid(),
            gx=gx,
            context=context,
            batch_definition=asset.add_batch_definition_whole_dataframe("whole"),
        )
    return _GX_STATE["batch_definition"]


def run_gx(frame: pd.DataFrame, name: str, expectations: list[dict]) -> list[tuple[dict, Any]]:
    """Validate `frame` against `expectations`; return (expectation, GX result) pairs."""
    batch_definition = _batch_definition()
    gx = _GX_STATE["gx"]
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration
    from great_expectations.validator.v1_validator import Validator

    suite = gx.ExpectationSuite(name=name)
    for i, e in enumerate(expectations):
        # GX does not keep the suite's order in its results: tag each one to pair them up.
        suite.add_expectation_configuration(
            ExpectationConfiguration(type=e["type"], kwargs=e["kwargs"], meta={**(e.get("meta") or {}), _POSITION: i})
        )
    # The validator GX's own ValidationDefinition uses: it loads (and fingerprints) the
    # frame once, where Batch.validate would load it a second time.
    validator = Validator(
        batch_definition=batch_definition,
        batch_parameters={"dataframe": frame},
        result_format={"result_format": "SUMMARY", "partial_unexpected_count": MAX_EXAMPLES},
    )
    result = validator.validate_expectation_suite(suite)
    paired: list = [None] * len(expectations)
    for r in result.results:
        paired[int(r.expectation_config.meta[_POSITION])] = r
    missing = [expectations[i]["type"] for i, r in enumerate(paired) if r is None]
    if missing:
        raise RuntimeError(f"Great Expectations returned no result for {missing}")
    return list(zip(expectations, paired, strict=False))


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
    ref = kw.get("value_set", {}).get(REFERENCE_KEY) if isinstance(kw.get("value_set"), dict) else None
    resolved_set = kw.get("value_set") if isinstance(kw.get("value_set"), list) else []
    if "_reference" in meta:
        ref = meta["_reference"]
    col_type = (column_types or {}).get(kw.get("column", ""), "string")
    if t == "expect_column_values_to_not_be_null":
        return {
            "int": "values must be present and be whole numbers",
            "float": "values must be present and be numbers",
            "date": "values must be present and be dates written YYYY-MM-DD",
        }.get(col_type, "values must be present (not empty)")
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


# --------------------------------------------------------------------------- GX results


def table_failure(source: str, file_label: str, expectation: dict, result) -> Failure:
    """The Failure for a table-level expectation GX found broken: what was found instead."""
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
            missing, unexpected = (
                [m for m in missing if m not in unexpected],
                [u for u in unexpected if u not in missing],
            )
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
        observed = f"observed {plain_value(res['observed_value'])}"
    failure = Failure(source, file_label, t, column, rule_text(expectation), count, [], observed)
    _note_exception(failure, result)
    return failure


def _note_exception(failure: Failure, result) -> None:
    info = result.exception_info or {}
    if isinstance(info, dict) and info.get("raised_exception"):
        failure.observed = f"Great Expectations raised: {info.get('exception_message')}"


def column_failure(
    source: str,
    file_label: str,
    expectation: dict,
    result,
    raw: pd.DataFrame,
    column_types: dict[str, str],
    redact: set[str],
) -> Failure:
    """The Failure for a column expectation GX found broken, with example rows as `raw` has them."""
    kw = expectation["kwargs"]
    res = result.result or {}
    columns = columns_of(kw)
    positions = list(res.get("partial_unexpected_index_list") or [])
    positions = [p for p in positions if isinstance(p, (int, np.integer))]
    failure = Failure(
        source=source,
        file=file_label,
        expectation=expectation["type"],
        column=", ".join(columns) or None,
        rule=rule_text(expectation, column_types),
        unexpected_count=int(res.get("unexpected_count") or 0),
        examples=example_rows(raw, positions, columns, redact),
    )
    if not failure.unexpected_count and "observed_value" in res:
        failure.observed = f"observed {plain_value(res['observed_value'])}"
    _note_exception(failure, result)
    return failure
