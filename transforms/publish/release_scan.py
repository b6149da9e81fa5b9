"""The check that a release is publishable: every file is scanned before it is renamed into place.

`assert_publishable` refuses (with DisclosureError, naming file, column and row) a
release holding a column or key named like a patient, stay or episode identifier, a
string shaped like a synthetic identifier or a CHI number, a value of the restricted
extracts' identifier columns, a row of a restricted level (data zones), or a count
below the suppression threshold that transforms.publish.suppression should have hidden.
Only Parquet, CSV, JSON and text files may be published; any other file is refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from transforms.publish.suppression import (
    CELL_KEYS,
    COUNT_DENOMINATOR_METHODS,
    DEFAULT_THRESHOLD,
    RESTRICTED_LEVELS,
    is_small,
)

# Column names of record-level identifiers: CHI, UPI, NHS number, and <thing>_id/_key/_number
# for patients, people, stays (cis), episodes, attendances, admissions and the like.
IDENTIFIER_COLUMN = re.compile(
    r"^(chi|upi|nhs|community_health_index)(_?(no|num|number|id))?$"
    r"|(^|_)(patient|person|cis|stay|episode|attendance|admission|discharge|record|client|individual"
    r"|death|link|case)_?(id|key|no|num|number|ref|pseudonym)$"
    r"|(^|_)(pseudonym|linkno|link_no)$"
)
# The synthetic twins' identifiers: an upper-case letter and 16 lower-case hex digits
# (transforms/synthetic/common.py hex_ids: P patients, S stays, A attendances).
SYNTHETIC_ID = re.compile(r"(?<![0-9A-Za-z])[A-Z][0-9a-f]{16}(?![0-9A-Za-z])")
# A whole value shaped like a CHI number: DDMMYY and four digits.
CHI_NUMBER = re.compile(r"^(0[1-9]|[12][0-9]|3[01])(0[1-9]|1[0-2])[0-9]{6}$")
TEXT_SUFFIXES = {".txt", ".md"}
# Restricted identifier values shorter than this are not looked for: a stay numbered
# "23" cannot be told from the "23" of "2022/23".
MIN_RESTRICTED_ID_LENGTH = 6


def is_identifier_column(name: str) -> bool:
    """Whether a column (or JSON key) name looks like a patient, stay, episode or attendance identifier."""
    return bool(IDENTIFIER_COLUMN.search(name.strip().lower()))


@dataclass(frozen=True)
class Finding:
    """One disclosure in a release: which file, column (or JSON path) and row, and what."""

    file: str
    column: str | None
    row: int | None
    problem: str

    def __str__(self) -> str:
        where = (
            self.file
            + (f", column {self.column!r}" if self.column else "")
            + (f", row {self.row}" if self.row is not None else "")
        )
        return f"{where}: {self.problem}"


class DisclosureError(RuntimeError):
    """A release would disclose: it holds an identifier, a restricted level or an unsuppressed small count."""

    def __init__(self, release_dir: Path, findings: list[Finding]):
        self.findings = findings
        shown = "\n".join(f"  - {f}" for f in findings[:20])
        more = f"\n  ... and {len(findings) - 20} more" if len(findings) > 20 else ""
        super().__init__(
            f"release {release_dir} is not publishable ({len(findings)} problems); "
            f"nothing was published:\n{shown}{more}"
        )


def _masked(value: str) -> str:
    """An identifier in a message: enough to find it, not enough to copy it into a log."""
    return f"{value[:2]}…({len(value)} characters)"


class _Scan:
    """What one release holds: findings so far, and every string value seen with where it was."""

    def __init__(self, root: Path, threshold: int, restricted_levels: Iterable[str]):
        self.root, self.threshold = root, threshold
        self.restricted_levels = set(restricted_levels)
        self.findings: list[Finding] = []
        self.strings: dict[str, tuple[str, str | None, int | None]] = {}

    def flag(self, file: str, column: str | None, row: int | None, problem: str) -> None:
        self.findings.append(Finding(file, column, row, problem))

    def text(self, value: str, file: str, column: str | None, row: int | None = None) -> None:
        """Check one string value for identifiers; remember it and its words for the restricted-id check."""
        for m in SYNTHETIC_ID.finditer(value):
            self.flag(file, column, row, f"value {_masked(m.group())} looks like a patient or stay identifier")
        if CHI_NUMBER.match(value.strip()):
            self.flag(file, column, row, f"value {_masked(value.strip())} looks like a CHI number")
        for token in {value, value.strip(), *re.findall(r"[\w\-]+", value), *re.findall(r"[A-Za-z0-9]+", value)}:
            if len(token) >= MIN_RESTRICTED_ID_LENGTH:
                self.strings.setdefault(token, (file, column, row))

    def table(self, table: pa.Table, file: str) -> None:
        for name in table.column_names:
            if is_identifier_column(name):
                self.flag(file, name, None, "column name looks like a patient, stay or episode identifier")
        if "geography_level" in table.column_names:
            level = table["geography_level"].cast(pa.string())
            for restricted in sorted(self.restricted_levels):
                hits = pc.equal(level, restricted)
                if pc.any(hits).as_py():
                    self.flag(
                        file,
                        "geography_level",
                        pc.index(hits, True).as_py(),
                        f"level {restricted!r} is restricted and may not be published",
                    )
        self._counts(table, file)
        for name in table.column_names:
            column = table[name]
            if pa.types.is_dictionary(column.type):
                column = column.cast(column.type.value_type)
            if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
                continue
            for value in pc.unique(column).to_pylist():
                if value is not None:
                    found = len(self.findings)
                    self.text(value, file, name)
                    if len(self.findings) > found:  # name the first row holding it
                        row = pc.index(column, value).as_py()
                        self.findings[found:] = [replace(f, row=row) for f in self.findings[found:]]

    def _counts(self, table: pa.Table, file: str) -> None:
        def numbers(name):
            if name not in table.column_names:
                return None
            values = table[name].to_pandas() if table[name].type != pa.null() else pd.Series([None] * len(table))
            return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)

        numerator, denominator = numbers("numerator"), numbers("denominator")
        method = (
            pd.Series(table["method"].to_pylist(), dtype=object).isin(COUNT_DENOMINATOR_METHODS).to_numpy()
            if "method" in table.column_names
            else np.zeros(table.num_rows, dtype=bool)
        )
        checks = []
        if numerator is not None:
            checks.append(("numerator", is_small(numerator, self.threshold)))
        if denominator is not None:
            checks.append(("denominator", method & is_small(denominator, self.threshold)))
            if numerator is not None:
                checks.append(("denominator", method & is_small(denominator - numerator, self.threshold)))
        for name, bad in checks:
            for row in np.flatnonzero(bad)[:20]:
                where = ", ".join(f"{k} {table[k][int(row)].as_py()}" for k in CELL_KEYS if k in table.column_names)
                self.flag(file, name, int(row), f"unsuppressed small count below {self.threshold} ({where})")

    def json_value(self, value, file: str, path: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if is_identifier_column(str(key)):
                    self.flag(
                        file, f"{path}.{key}".lstrip("."), None, "key looks like a patient, stay or episode identifier"
                    )
                if (
                    key == "numerator"
                    and isinstance(item, (int, float))
                    and not isinstance(item, bool)
                    and 0 < item < self.threshold
                ):
                    self.flag(
                        file, f"{path}.{key}".lstrip("."), None, f"unsuppressed small count below {self.threshold}"
                    )
                self.json_value(item, file, f"{path}.{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                self.json_value(item, file, f"{path}[{i}]")
        elif isinstance(value, str):
            self.text(value, file, path.lstrip(".") or None)

    def file(self, path: Path) -> None:
        rel = path.relative_to(self.root).as_posix()
        for segment in path.relative_to(self.root).parts:  # hive folders: geography_level=datazone
            key, _, value = segment.partition("=")
            if key == "geography_level" and value in self.restricted_levels:
                self.flag(rel, "geography_level", None, f"level {value!r} is restricted and may not be published")
            self.text(segment, rel, None)
        if path.is_symlink():
            self.flag(rel, None, None, "a symbolic link may point outside the release")
            return
        suffix = path.suffix.lower()
        try:
            if suffix == ".parquet":
                self.table(pq.ParquetFile(path).read(), rel)
            elif suffix == ".csv":
                frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
                self.table(pa.Table.from_pandas(frame, preserve_index=False), rel)
            elif suffix == ".json":
                self.json_value(json.loads(path.read_text(encoding="utf-8")), rel, "")
            elif suffix == ".jsonl":
                for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
                    if line.strip():
                        self.json_value(json.loads(line), rel, f"[{i}]")
            elif suffix in TEXT_SUFFIXES:
                for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
                    self.text(line, rel, None, i)
            else:
                self.flag(rel, None, None, "file type not checked: only Parquet, CSV, JSON and text may be published")
        except (OSError, ValueError, pa.ArrowException) as exc:
            self.flag(rel, None, None, f"unreadable, so not checked: {exc}")

    def restricted_ids(self, values: Iterable) -> None:
        """Every seen string (and word) that is also a restricted identifier value."""
        if not self.strings:
            return
        seen = pa.array(sorted(self.strings), type=pa.string())
        plain: set[str] = set()
        hits: set[str] = set()
        for item in values:
            if isinstance(item, str):
                plain.add(item)
                continue
            array = item if isinstance(item, (pa.Array, pa.ChunkedArray)) else pa.array(item)
            if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
                array = array.cast(pa.string())
            hits.update(
                v for v in pc.unique(array.filter(pc.is_in(array, value_set=seen))).to_pylist() if v is not None
            )
        hits.update(plain.intersection(self.strings))
        for value in sorted(hits):
            file, column, row = self.strings[value]
            if row is None and column and file.endswith((".parquet", ".csv")):
                row = self._first_row(file, column, value)
            self.flag(file, column, row, f"value {_masked(value)} is an identifier of the restricted extract")

    def _first_row(self, file: str, column: str, value: str) -> int | None:
        path = self.root / file
        table = (
            pq.ParquetFile(path).read(columns=[column])
            if path.suffix == ".parquet"
            else pa.Table.from_pandas(pd.read_csv(path, dtype=str, usecols=[column], keep_default_na=False))
        )
        rows = np.flatnonzero([value in str(v) for v in table[column].to_pylist()])
        return int(rows[0]) if len(rows) else None


def find_disclosures(
    release_dir: Path,
    *,
    restricted_id_values: Iterable = (),
    threshold: int = DEFAULT_THRESHOLD,
    restricted_levels: Iterable[str] = RESTRICTED_LEVELS,
) -> list[Finding]:
    """Every disclosure in the files under `release_dir` (see `assert_publishable`)."""
    root = Path(release_dir)
    scan = _Scan(root, threshold, restricted_levels)
    for path in sorted(p for p in root.rglob("*") if p.is_file() or p.is_symlink()):
        scan.file(path)
    scan.restricted_ids(restricted_id_values)
    return scan.findings


def assert_publishable(
    release_dir: Path,
    *,
    restricted_id_values: Iterable = (),
    threshold: int = DEFAULT_THRESHOLD,
    restricted_levels: Iterable[str] = RESTRICTED_LEVELS,
) -> None:
    """Refuse a release that could disclose; raise DisclosureError naming file, column and row.

    Scans every Parquet, CSV, JSON and text file (any other file type is refused) for:
    a column or key named like a patient/stay/episode/attendance identifier (CHI, UPI,
    patient_id, cis_id...); a string shaped like a synthetic identifier or a CHI
    number; a string (or word of one) equal to one of `restricted_id_values` (strings,
    or pyarrow/NumPy arrays of them, e.g. the identifier columns of the record-level
    extracts, read in batches); a row of a restricted level (data zones); a numerator
    (and a percentage's denominator, or its complement) above 0 and below `threshold`.
    """
    findings = find_disclosures(
        release_dir, restricted_id_values=restricted_id_values, threshold=threshold, restricted_levels=restricted_levels
    )
    if findings:
        raise DisclosureError(Path(release_dir), findings)
