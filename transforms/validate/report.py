"""What validation found, and the Markdown report that shows it.

A `Failure` is one broken rule in one file: the expectation (or other check), the
column, the rule in words, how many rows break it and a few example rows with the
value as the file has it. Values of a suite's `redact_columns` are never copied into
a failure: the example shows only their shape (e.g. `[redacted: shape 9999999999]`).
`check_or_raise` writes the report and raises `ValidationFailed` when anything failed.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

MAX_EXAMPLES = 5


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
            lines.append("  " + describe(f))
        if len(self.failures) > 3:
            lines.append(f"  ... and {len(self.failures) - 3} more")
        if self.report_path is not None:
            lines.append(f"  report: {self.report_path}")
        return "\n".join(lines)


def describe(f: Failure) -> str:
    """One line naming the file, the expectation, the column, the rule and example rows."""
    where = f" on column {f.column}" if f.column else ""
    text = f"{f.file}: {f.expectation}{where}: {f.rule}"
    if f.examples:
        text += f" ({f.unexpected_count} rows); e.g. " + ", ".join(
            f"{e['value']!r}" if e.get("row") is None else f"row {e['row']}: {e['value']!r}" for e in f.examples[:3]
        )
    elif f.observed:
        text += f"; {f.observed}"
    return text


def plain_value(value: Any) -> Any:
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


def example_rows(raw: pd.DataFrame, positions: list[int], columns: list[str], redact: set[str]) -> list[dict]:
    """The first rows at `positions` (0-based) as examples: 1-based row and the value as read."""
    out = []
    for pos in positions[:MAX_EXAMPLES]:
        cells = {}
        for c in columns:
            v = plain_value(raw[c].iat[int(pos)]) if c in raw.columns else None
            cells[c] = _shape(v) if c in redact else v
        value = cells[columns[0]] if len(columns) == 1 else cells
        out.append({"row": int(pos) + 1, "value": value})
    return out


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
        lines += [
            f"## {file_label}",
            "",
            f"Suite `expectations/{source}.json`: {len(fs)} failed expectation(s).",
            "",
            "| expectation | column | rule | unexpected | example rows |",
            "|---|---|---|---:|---|",
        ]
        for f in fs:
            lines.append(
                f"| {_md(f.expectation)} | {_md(f.column or '(table)')} | {_md(f.rule)} "
                f"| {f.unexpected_count} | {_md_examples(f)} |"
            )
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
