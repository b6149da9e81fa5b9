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

Great Expectations is imported lazily (Airflow imports this package while parsing DAG
files) and its ephemeral context is built once per process.

The modules:

* `suites`: loading the suites, resolving their reference sets, running GX, rule text;
* `casting`: the typed frame of `meta.columns`, and the views of it GX runs on;
* `checks`: the checks outside GX, and the reference sets passed between inputs;
* `run`: `validate_frame` (the two phases) and `validate_file` (one file end to end);
* `report`: `Failure`, the Markdown report, and `check_or_raise`.
"""

from transforms.validate.casting import COLUMN_TYPES, DATE_FORMAT, cast_frame
from transforms.validate.checks import (
    SMR01,
    add_reference_sets,
    apply_aliases,
    future_date_failures,
    missing_reference_values,
    not_checked,
    period_failures,
    read_failure,
    required_reference_sets,
)
from transforms.validate.report import (
    MAX_EXAMPLES,
    Failure,
    ValidationFailed,
    check_or_raise,
    describe,
    write_report,
)
from transforms.validate.run import validate_file, validate_frame
from transforms.validate.suites import EXPECTATIONS_DIR, SuiteError, load_suite, rule_text, suite_path

__all__ = [
    "COLUMN_TYPES",
    "DATE_FORMAT",
    "EXPECTATIONS_DIR",
    "MAX_EXAMPLES",
    "SMR01",
    "Failure",
    "SuiteError",
    "ValidationFailed",
    "add_reference_sets",
    "apply_aliases",
    "cast_frame",
    "check_or_raise",
    "describe",
    "future_date_failures",
    "load_suite",
    "missing_reference_values",
    "not_checked",
    "period_failures",
    "read_failure",
    "required_reference_sets",
    "rule_text",
    "suite_path",
    "validate_file",
    "validate_frame",
    "write_report",
]
