"""The checks GX cannot express, and the reference sets that pass from one input to the next.

Row checks on a validated SMR01 frame (the admission period, dates after today), the
reference values a column must all contain, warnings for known column spellings, the
layout and archived codes, and the Failure for a file the reader refused.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from transforms.validate.report import MAX_EXAMPLES, Failure
from transforms.validate.suites import REFERENCE_KEY, SuiteError, load_suite, suite_path

SMR01 = "smr01_episodes"


def read_failure(source: str, file_label: str, exc) -> Failure:
    """The Failure for a file the reader refused (a transforms.sources.files.InputFileError)."""
    return Failure(
        source=source,
        file=file_label,
        expectation=exc.check,
        column=exc.column,
        rule=exc.requirement,
        unexpected_count=exc.count,
        examples=[],
        observed=exc.detail,
    )


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
            warnings.append(
                f"column {column!r} is a known spelling of {target!r}, which is also present; "
                f"{column!r} was not renamed"
            )
            continue
        renames[column] = target
        warnings.append(f"renamed column {column!r} to {target!r} (a known spelling)")
    return (raw.rename(columns=renames) if renames else raw), warnings


def layout_warnings(raw: pd.DataFrame, columns: dict[str, str]) -> list[str]:
    """Benign differences from the contract's column layout (only called when the suite passed)."""
    warnings = []
    present = [c for c in raw.columns if c in columns]
    if present != [c for c in columns if c in raw.columns]:
        warnings.append(
            "columns are in a different order from the contract (" + ", ".join(present) + "); they are matched by name"
        )
    extra = [str(c) for c in raw.columns if c not in columns]
    if extra:
        warnings.append("ignored column(s) not in the contract: " + ", ".join(extra))
    return warnings


def missing_reference_values(
    raw: pd.DataFrame,
    source: str,
    file_label: str,
    required: dict[str, str],
    reference_sets: dict[str, set[str]] | None,
) -> list[Failure]:
    """`meta.must_contain_reference`: every value of the reference set appears in the column."""
    failures = []
    for column, ref_name in required.items():
        if column not in raw.columns:
            continue  # the column-set expectation has already said so
        if not reference_sets or ref_name not in reference_sets:
            raise SuiteError(
                f"{suite_path(source).name}: meta.must_contain_reference needs the reference "
                f"set {ref_name!r}, which was not supplied"
            )
        wanted = reference_sets[ref_name]
        found = set(raw[column].dropna().astype(str))
        missing = sorted(wanted - found)
        if missing:
            failures.append(
                Failure(
                    source=source,
                    file=file_label,
                    expectation="column_contains_every_reference_value",
                    column=column,
                    rule=f"every value in reference set '{ref_name}' ({len(wanted)} values) must appear: "
                    "a row that is absent is not a zero",
                    unexpected_count=len(missing),
                    examples=[{"row": None, "value": v} for v in missing[:MAX_EXAMPLES]],
                    observed=f"{len(missing)} value(s) absent",
                )
            )
    return failures


def archived_warnings(
    typed: pd.DataFrame, archived: dict[str, str], reference_sets: dict[str, set[str]] | None
) -> list[str]:
    """`meta.archived_codes`: values the suite accepts that are not current codes, one warning a column."""
    warnings = []
    for column, ref_name in archived.items():
        if column not in typed.columns or not reference_sets or ref_name not in reference_sets:
            continue
        values = typed[column].dropna()
        old = values[~values.isin(list(reference_sets[ref_name]))]
        if len(old):
            counts = old.value_counts().sort_index()
            listed = ", ".join(f"{code} ({n:,} rows)" for code, n in counts.items())
            warnings.append(
                f"archived code(s) in {column}: {listed}; accepted and mapped to the current codes in the build"
            )
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
        failures.append(
            Failure(
                source=source,
                file=file_label,
                expectation="admission_date_in_period",
                column="admission_date",
                rule=f"first episodes must be admitted {start:%Y-%m-%d} to {end:%Y-%m-%d}",
                unexpected_count=len(outside),
                examples=[
                    {"row": int(i) + 1, "value": str(v.date())}
                    for i, v in outside["admission_date"].head(MAX_EXAMPLES).items()
                ],
            )
        )
    months = set(first["admission_date"].dt.to_period("M").astype(str))
    expected = {str(p) for p in pd.period_range(start, end, freq="M")}
    missing = sorted(expected - months)
    if missing:
        failures.append(
            Failure(
                source=source,
                file=file_label,
                expectation="period_fully_covered",
                column="admission_date",
                rule="every month of the period must have admissions (is the extract complete?)",
                unexpected_count=len(missing),
                examples=[{"row": None, "value": m} for m in missing[:MAX_EXAMPLES]],
            )
        )
    return failures


def future_date_failures(
    typed: pd.DataFrame, file_label: str, columns: tuple[str, ...], today: date | None = None, source: str = SMR01
) -> list[Failure]:
    """Dates after today cannot be in an extract of what has happened."""
    today_ts = pd.Timestamp(today or date.today())
    failures = []
    for column in columns:
        late = typed[column][typed[column] > today_ts]
        if len(late):
            failures.append(
                Failure(
                    source=source,
                    file=file_label,
                    expectation=f"{column}_not_in_future",
                    column=column,
                    rule=f"dates must not be after the day of validation ({today_ts:%Y-%m-%d})",
                    unexpected_count=len(late),
                    examples=[{"row": int(i) + 1, "value": str(v.date())} for i, v in late.head(MAX_EXAMPLES).items()],
                )
            )
    return failures


def required_reference_sets(source: str) -> set[str]:
    """The reference sets the checks of `source` need (its `$reference`s and `must_contain_reference`)."""
    suite = load_suite(source)
    found: set[str] = set(suite["meta"].get("must_contain_reference", {}).values())

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if set(value) == {REFERENCE_KEY}:
                found.add(value[REFERENCE_KEY])
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
    return Failure(
        source=source,
        file=file_label,
        expectation="reference_inputs_valid",
        column=None,
        rule="checked against the reference inputs, so only once they pass",
        unexpected_count=0,
        observed="not checked: needs the reference set(s) "
        + ", ".join(sorted(missing))
        + " from an input that failed validation (see above)",
    )


def add_reference_sets(source: str, typed: pd.DataFrame, reference_sets: dict[str, set[str]]) -> None:
    """Add the code sets a validated input provides for the suites of later inputs."""
    if source == "geography_dz2011":
        reference_sets["datazone2011"] = set(typed["datazone2011"])
        reference_sets["hscp2019"] = set(typed["hscp2019"])
    if source == "geography_code_changes":
        hscp_old = typed.loc[typed["geography_level"] == "hscp", "old_code"]
        reference_sets["hscp2019_any"] = reference_sets.get("hscp2019", set()) | set(hscp_old)
