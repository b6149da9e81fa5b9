"""Reading delimited text the way PHS and NRS actually publish it.

Real extracts carry a UTF-8 BOM, CRLF or the doubled `\\r\\r\\n` line ending, and
sometimes Windows-1252 text. These are benign: normalise them, and say so in a
warning that the caller records in the manifest, instead of failing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

UTF8_BOM = b"\xef\xbb\xbf"


class InputFileError(ValueError):
    """A file cannot be read at all; the message names the file and, where known, the row."""


@dataclass
class TextFile:
    path: Path
    text: str
    warnings: list[str] = field(default_factory=list)


def read_text(path: Path) -> TextFile:
    """Decode a text file to str with `\\n` line endings, noting every repair made."""
    raw = Path(path).read_bytes()
    warnings: list[str] = []
    if not raw.strip():
        raise InputFileError(f"{path}: the file is empty")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputFileError(f"{path}: the file is UTF-16; save it as UTF-8")
    if raw.startswith(UTF8_BOM):
        raw = raw[len(UTF8_BOM):]
        warnings.append("removed a UTF-8 byte-order mark")
    if b"\r\r\n" in raw:
        raw = raw.replace(b"\r\r\n", b"\n")
        warnings.append("normalised \\r\\r\\n line endings to \\n")
    if b"\r\n" in raw:
        raw = raw.replace(b"\r\n", b"\n")
        warnings.append("normalised CRLF line endings to \\n")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputFileError(
            f"{path}: line {line}: bytes that are not UTF-8 ({raw[exc.start:exc.start + 4]!r}); "
            "save the file as UTF-8"
        ) from exc
    return TextFile(Path(path), text, warnings)


def read_csv(path: Path, *, encoding_fallback: str | None = None, **kwargs) -> tuple[pd.DataFrame, list[str]]:
    """Read a CSV as strings (callers cast), returning the frame and the repair warnings.

    `encoding_fallback` is for the few reference files known to be Windows-1252.
    """
    try:
        tf = read_text(path)
    except InputFileError:
        if encoding_fallback is None:
            raise
        raw = Path(path).read_bytes().replace(b"\r\r\n", b"\n").replace(b"\r\n", b"\n")
        tf = TextFile(Path(path), raw.decode(encoding_fallback), [f"decoded as {encoding_fallback}"])
    try:
        df = pd.read_csv(io.StringIO(tf.text), dtype=str, keep_default_na=False, **kwargs)
    except pd.errors.ParserError as exc:
        raise InputFileError(f"{path}: {exc}") from exc
    if df.empty:
        raise InputFileError(f"{path}: the file has a header but no data rows")
    return df, tf.warnings
