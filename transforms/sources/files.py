"""Reading delimited text the way PHS and NRS actually publish it.

Real extracts carry a UTF-8 BOM, CRLF or the doubled `\\r\\r\\n` line ending (and old
files the bare `\\r` of classic Mac OS). These are benign: normalise them, and say so
in a warning that the caller records in the manifest, instead of failing. Everything
else that makes a file unreadable is refused with an `InputFileError` that names the
file, the check that failed and, where there is one, the line:

| check | refused when |
|---|---|
| `file_size_limit` | the file is larger than `Limits.max_file_bytes` (checked before reading it) |
| `file_not_empty` | the file is empty or blank |
| `text_encoding_utf8` | UTF-16 (with or without a BOM), NUL bytes, or bytes that are not UTF-8 (e.g. Windows-1252) |
| `line_endings` | a carriage return inside a line (a file with only `\\r` line endings is normalised instead) |
| `line_length_limit` | a line is longer than `Limits.max_line_bytes` |
| `csv_header` | the header has a blank or a repeated column name |
| `csv_field_count` | a line has more or fewer fields than the header (a truncated last line, an unquoted comma) |
| `csv_well_formed` | the CSV cannot be parsed (e.g. a quote that is never closed) |
| `file_has_data_rows` | there is a header but no data rows |

The two limits keep a hostile or mistaken file from exhausting memory: the size is
checked with `stat` before a byte is read, and at most `max_file_bytes + 1` bytes are
ever read. Their defaults are `DEFAULT_MAX_FILE_BYTES` and `DEFAULT_MAX_LINE_BYTES`;
`transforms.inputs.limits_for` sets them per input and reads the overrides from the
environment.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

UTF8_BOM = b"\xef\xbb\xbf"
MiB = 1024 * 1024
GiB = 1024 * MiB
DEFAULT_MAX_FILE_BYTES = 2 * GiB
DEFAULT_MAX_LINE_BYTES = 1 * MiB
_SCAN_BLOCK = 8 * MiB  # the line scan looks at this much of the file at a time


class InputFileError(ValueError):
    """A file cannot be read at all; the message names the file and, where known, the line.

    `check` names the rule that failed (see the module docstring), `requirement` states
    it, `detail` says what was found (without the path), `line` is the 1-based line
    number where there is one, and `count` how many lines are affected.
    """

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        check: str = "file_readable",
        requirement: str = "the file must be readable",
        detail: str | None = None,
        line: int | None = None,
        count: int = 1,
        column: str | None = None,
    ):
        super().__init__(message)
        self.path = None if path is None else Path(path)
        self.check = check
        self.requirement = requirement
        self.detail = detail if detail is not None else message
        self.line = line
        self.count = count
        self.column = column


def refuse(
    path: Path,
    check: str,
    requirement: str,
    detail: str,
    *,
    line: int | None = None,
    count: int = 1,
    column: str | None = None,
) -> InputFileError:
    """An InputFileError whose message is `<path>: <detail>`."""
    return InputFileError(
        f"{path}: {detail}",
        path=path,
        check=check,
        requirement=requirement,
        detail=detail,
        line=line,
        count=count,
        column=column,
    )


@dataclass(frozen=True)
class Limits:
    """How large a file and one of its lines may be, in bytes."""

    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES

    def __post_init__(self):
        for name in ("max_file_bytes", "max_line_bytes"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"Limits.{name} must be a positive whole number of bytes, got {value!r}")


@dataclass
class TextFile:
    path: Path
    text: str
    warnings: list[str] = field(default_factory=list)


def check_size(path: Path, limits: Limits | None = None) -> int:
    """The file's size in bytes; refuse it, before reading anything, if it is over the limit."""
    limits = limits or Limits()
    size = os.stat(path).st_size
    if size > limits.max_file_bytes:
        raise refuse(
            path,
            "file_size_limit",
            f"the file must be at most {limits.max_file_bytes:,} bytes",
            f"the file is {size:,} bytes, more than the limit of {limits.max_file_bytes:,} bytes "
            "(is it the right file?)",
        )
    return size


def read_bytes(path: Path, limits: Limits | None = None) -> bytes:
    """The whole file, refusing it if it is (or grows while being read) over the size limit."""
    limits = limits or Limits()
    check_size(path, limits)
    with open(path, "rb") as fh:
        raw = fh.read(limits.max_file_bytes + 1)
    if len(raw) > limits.max_file_bytes:
        raise refuse(
            path,
            "file_size_limit",
            f"the file must be at most {limits.max_file_bytes:,} bytes",
            f"the file grew past the limit of {limits.max_file_bytes:,} bytes while it was read",
        )
    return raw


def _blocks(raw: bytes, block: int):
    """(start, end) spans of `raw` of about `block` bytes that end just after a newline."""
    start, n = 0, len(raw)
    while start < n:
        end = min(start + block, n)
        if end < n:
            cut = raw.rfind(b"\n", start, end)
            end = cut + 1 if cut >= 0 else end  # no newline in the block: an over-long line
        yield start, end
        start = end


def _line_scan(raw: bytes, path: Path, max_line_bytes: int, expected_fields: int | None) -> None:
    """Refuse over-long lines and, if `expected_fields` is given, lines with another field count.

    The field count is the number of commas plus one, so it is only exact for a file
    without quotes. Works a block at a time with numpy: a scan of a large extract costs
    a fraction of a second and little memory. `raw` has `\\n` line endings; empty lines
    (which pandas skips) are not counted as short.
    """
    block = max(_SCAN_BLOCK, 2 * max_line_bytes + 2)
    line_base = 0  # lines before the block
    wrong_first: tuple[int, int] | None = None  # (line, fields)
    wrong_count = 0
    for start, end in _blocks(raw, block):
        arr = np.frombuffer(raw, dtype=np.uint8, count=end - start, offset=start)
        newlines = np.flatnonzero(arr == 10)
        if len(newlines) == 0 or newlines[-1] != len(arr) - 1:
            ends = np.append(newlines, len(arr))  # a last line without a newline
        else:
            ends = newlines
        starts = np.concatenate(([0], ends[:-1] + 1))
        lengths = ends - starts
        long = np.flatnonzero(lengths > max_line_bytes)
        if len(long):
            i = int(long[0])
            raise refuse(
                path,
                "line_length_limit",
                f"lines must be at most {max_line_bytes:,} bytes",
                f"line {line_base + i + 1} is {int(lengths[i]):,} bytes long, more than the limit "
                f"of {max_line_bytes:,} bytes",
                line=line_base + i + 1,
                count=len(long),
            )
        if expected_fields is not None:
            commas = np.flatnonzero(arr == 44)
            fields = np.searchsorted(commas, ends) - np.searchsorted(commas, starts) + 1
            bad = np.flatnonzero((fields != expected_fields) & (lengths > 0))
            if len(bad):
                wrong_count += len(bad)
                if wrong_first is None:
                    wrong_first = (line_base + int(bad[0]) + 1, int(fields[bad[0]]))
        line_base += len(ends)
    if wrong_first is not None:
        _field_count_error(path, expected_fields, wrong_first, wrong_count)


def _field_count_error(path: Path, expected: int, first: tuple[int, int], count: int) -> None:
    line, found = first
    hint = "a truncated or damaged line?" if found < expected else "an unquoted comma or a shifted row?"
    more = f" ({count:,} lines like this)" if count > 1 else ""
    raise refuse(
        path,
        "csv_field_count",
        f"every line must have as many fields as the header ({expected})",
        f"line {line} has {found} fields, the header has {expected} ({hint}){more}",
        line=line,
        count=count,
    )


def _header_fields(text: str, path: Path) -> list[str]:
    first_line = text.split("\n", 1)[0]
    try:
        header = next(csv.reader([first_line]))
    except (csv.Error, StopIteration) as exc:
        raise refuse(
            path,
            "csv_header",
            "the first line must be a header of column names",
            f"line 1 is not a CSV header ({exc})",
            line=1,
        ) from exc
    names = [h.strip() for h in header]
    blank = [i + 1 for i, h in enumerate(names) if not h]
    if blank:
        raise refuse(
            path,
            "csv_header",
            "every column must have a name",
            f"line 1: column {blank[0]} of the header has no name",
            line=1,
        )
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise refuse(
            path,
            "csv_header",
            "column names must be unique",
            f"line 1: the header repeats column(s) {', '.join(repeated)}",
            line=1,
            column=", ".join(repeated),
        )
    return header


def _quoted_field_counts(text: str, path: Path, expected: int, max_line_bytes: int) -> None:
    """Field counts for a file with quotes, record by record (the csv module's C reader)."""
    if csv.field_size_limit() < max_line_bytes:  # process-wide; only ever raised, to the line limit
        csv.field_size_limit(max_line_bytes)
    reader = csv.reader(io.StringIO(text))
    first, count = None, 0
    try:
        for record in reader:
            if not record:
                continue  # a blank line, which pandas skips too
            if len(record) != expected:
                count += 1
                if first is None:
                    first = (reader.line_num, len(record))
    except csv.Error as exc:
        raise refuse(
            path,
            "csv_well_formed",
            "the file must be well-formed CSV",
            f"line {reader.line_num}: {exc}",
            line=reader.line_num,
        ) from exc
    if first is not None:
        _field_count_error(path, expected, first, count)


def _load(path: Path, limits: Limits) -> tuple[bytes, list[str]]:
    """The file's bytes with BOM and line endings normalised, and the warnings for that."""
    raw = read_bytes(path, limits)
    warnings: list[str] = []
    if not raw.strip():
        raise refuse(path, "file_not_empty", "the file must not be empty", "the file is empty")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise refuse(
            path, "text_encoding_utf8", "the file must be UTF-8 text", "the file is UTF-16; save it as UTF-8", line=1
        )
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        raise refuse(
            path,
            "text_encoding_utf8",
            "the file must be UTF-8 text",
            f"line {line}: NUL bytes (UTF-16 without a byte-order mark, or not a text file); save it as UTF-8",
            line=line,
        )
    if raw.startswith(UTF8_BOM):
        raw = raw[len(UTF8_BOM) :]
        warnings.append("removed a UTF-8 byte-order mark")
    if b"\r\r\n" in raw:
        raw = raw.replace(b"\r\r\n", b"\n")
        warnings.append("normalised \\r\\r\\n line endings to \\n")
    if b"\r\n" in raw:
        raw = raw.replace(b"\r\n", b"\n")
        warnings.append("normalised CRLF line endings to \\n")
    cr = raw.find(b"\r")
    if cr >= 0:
        if b"\n" not in raw:  # classic Mac OS line endings
            raw = raw.replace(b"\r", b"\n")
            warnings.append("normalised CR line endings to \\n")
        else:  # pandas would end the row there, silently shifting the rest of the line
            line = raw.count(b"\n", 0, cr) + 1
            raise refuse(
                path,
                "line_endings",
                "lines must end in \\n, \\r\\n or \\r\\r\\n",
                f"line {line}: a carriage return (\\r) inside the line (mixed line endings?)",
                line=line,
            )
    _line_scan(raw, path, limits.max_line_bytes, expected_fields=None)
    return raw, warnings


def _decode(raw: bytes, path: Path) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise refuse(
            path,
            "text_encoding_utf8",
            "the file must be UTF-8 text",
            f"line {line}: bytes that are not UTF-8 ({raw[exc.start : exc.end]!r}); "
            "save the file as UTF-8 (it may be Windows-1252)",
            line=line,
        ) from exc


def read_text(path: Path, limits: Limits | None = None) -> TextFile:
    """Decode a text file to str with `\\n` line endings, noting every repair made."""
    raw, warnings = _load(path, limits or Limits())
    return TextFile(Path(path), _decode(raw, path), warnings)


def read_csv(
    path: Path, *, encoding_fallback: str | None = None, limits: Limits | None = None, **kwargs
) -> tuple[pd.DataFrame, list[str]]:
    """Read a CSV as strings (callers cast), returning the frame and the repair warnings.

    `encoding_fallback` is for the few reference files known to be Windows-1252.
    Every line must have as many fields as the header: pandas would otherwise pad a
    short line with empty cells, or silently turn the first column into the index
    when every line has one field too many.
    """
    limits = limits or Limits()
    raw, warnings = _load(path, limits)
    try:
        text = _decode(raw, path)
    except InputFileError:
        if encoding_fallback is None:
            raise
        text = raw.decode(encoding_fallback)
        warnings = [*warnings, f"decoded as {encoding_fallback}"]
    header = _header_fields(text, path)
    if '"' in text:
        _quoted_field_counts(text, path, len(header), limits.max_line_bytes)
    else:
        _line_scan(raw, path, limits.max_line_bytes, expected_fields=len(header))
    del raw
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, **kwargs)
    except pd.errors.ParserError as exc:
        found = re.search(r"line (\d+)", str(exc))
        raise refuse(
            path, "csv_well_formed", "the file must be well-formed CSV", str(exc), line=int(found[1]) if found else None
        ) from exc
    if df.empty:
        raise refuse(
            path,
            "file_has_data_rows",
            "the file must have data rows below its header",
            "the file has a header but no data rows",
        )
    return df, warnings
