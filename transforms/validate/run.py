"""Validating one frame against its suite (two phases), and one input file end to end."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from transforms.validate.casting import cast_frame, gx_view, shape_only
from transforms.validate.checks import (
    SMR01,
    apply_aliases,
    archived_warnings,
    future_date_failures,
    layout_warnings,
    missing_reference_values,
    period_failures,
    read_failure,
)
from transforms.validate.report import Failure
from transforms.validate.suites import (
    TABLE_PREFIX,
    SuiteError,
    column_failure,
    columns_of,
    load_suite,
    resolved_expectations,
    run_gx,
    suite_path,
    table_failure,
)


def validate_frame(
    raw: pd.DataFrame, source: str, file_label: str, *, reference_sets: dict[str, set[str]] | None = None
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
    expectations = resolved_expectations(source, suite, reference_sets)

    raw = raw.reset_index(drop=True)
    table_level = [e for e in expectations if e["type"].startswith(TABLE_PREFIX)]
    column_level = [e for e in expectations if not e["type"].startswith(TABLE_PREFIX)]

    failures: list[Failure] = []
    if table_level:
        for e, r in run_gx(shape_only(raw), f"{source}.table", table_level):
            if not r.success:
                failures.append(table_failure(source, file_label, e, r))
    if failures:
        return raw, failures

    absent = [c for c in column_types if c not in raw.columns and c not in optional]
    if absent:  # a suite without a column-set expectation still gets one clear failure
        return raw, [
            Failure(
                source,
                file_label,
                "expect_table_columns_to_match_set",
                ", ".join(absent),
                "columns must include: " + ", ".join(c for c in column_types if c not in optional),
                len(absent),
                [],
                "missing column(s): " + ", ".join(absent),
            )
        ]

    typed = cast_frame(raw, column_types)
    runnable = [e for e in column_level if all(c in typed.columns for c in columns_of(e["kwargs"]))]
    skipped = [e for e in column_level if e not in runnable]
    for e in skipped:
        cols = [c for c in columns_of(e["kwargs"]) if c not in typed.columns]
        if not set(cols) <= optional:
            raise SuiteError(
                f"{suite_path(source).name}: {e['type']} refers to column(s) {cols} that are not in meta.columns"
            )
    if runnable:
        for e, r in run_gx(gx_view(typed), f"{source}.columns", runnable):
            if not r.success:
                failures.append(column_failure(source, file_label, e, r, raw, column_types, redact))
    return typed, failures


def validate_file(
    source: str,
    path: Path,
    reference_sets: dict[str, set[str]] | None = None,
    period=None,
    *,
    label: str | None = None,
    limits=None,
    today: date | None = None,
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
    failures += missing_reference_values(raw, source, label, meta.get("must_contain_reference", {}), reference_sets)
    if failures:
        return typed, failures, warnings
    if source == SMR01:
        failures += future_date_failures(typed, label, ("admission_date", "discharge_date"), today)
        if period is not None:
            failures += period_failures(typed, period, label)
    warnings += layout_warnings(raw, meta["columns"])
    warnings += archived_warnings(typed, meta.get("archived_codes", {}), reference_sets)
    return typed, failures, warnings
