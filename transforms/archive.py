"""The immutable raw archive: every input exactly as it arrived, with a manifest.

data/raw/<source>/<vintage>/ holds the file and manifest.json (SHA-256, size, rows,
origin, retrieval time). A vintage is never changed once written: it is built in a
temporary folder and renamed into place, its files are made read-only, and landing
a byte-identical file again returns the existing vintage instead of a new one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pyarrow.parquet as pq

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class ArchiveEntry:
    source: str
    vintage: str
    path: str  # the archived file
    original_name: str
    origin: str  # path or URL it came from
    sha256: str
    size_bytes: int
    row_count: int | None
    retrieved_at: str
    restricted: bool
    synthetic: bool
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, vintage_dir: Path) -> "ArchiveEntry":
        return cls(**json.loads((vintage_dir / MANIFEST).read_text()))


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def count_rows(path: Path) -> int | None:
    """Data rows: Parquet metadata, or lines after the header of a text file.

    Counted in fixed-size blocks, so a file with no line breaks cannot fill memory.
    """
    if path.suffix == ".parquet":
        return pq.ParquetFile(path).metadata.num_rows
    if path.suffix in {".csv", ".txt"}:
        lines, last = 0, b"\n"
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                lines += block.count(b"\n")
                last = block[-1:]
        lines += last != b"\n"  # a last line without a line break
        return max(lines - 1, 0)
    return None


def is_synthetic(path: Path) -> bool:
    """A file says it is synthetic in its Parquet metadata (see transforms.synthetic)."""
    if path.suffix != ".parquet":
        return False
    meta = pq.ParquetFile(path).schema_arrow.metadata or {}
    return meta.get(b"synthetic") == b"true"


def _existing(source_dir: Path, sha: str) -> ArchiveEntry | None:
    for manifest in sorted(source_dir.glob(f"*_{sha[:16]}/{MANIFEST}")):
        entry = ArchiveEntry.read(manifest.parent)
        if entry.sha256 == sha:
            return entry
    return None


def land(source: str, origin: Path, raw_dir: Path, *, restricted: bool = False,
         origin_label: str | None = None, now: datetime | None = None) -> tuple[ArchiveEntry, bool]:
    """Copy `origin` into the archive unless an identical file is there; (entry, is_new)."""
    origin = Path(origin)
    if not origin.is_file():
        raise FileNotFoundError(f"input for {source!r} not found: {origin}")
    sha = file_sha256(origin)
    source_dir = raw_dir / source
    found = _existing(source_dir, sha) if source_dir.exists() else None
    if found is not None:
        return found, False
    now = now or datetime.now(timezone.utc)
    vintage = f"{now:%Y%m%dT%H%M%SZ}_{sha[:16]}"
    source_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".landing-", dir=source_dir))
    try:
        if restricted:
            os.chmod(tmp, 0o700)
        target = tmp / origin.name
        shutil.copyfile(origin, target)
        if file_sha256(target) != sha:
            raise OSError(f"{origin}: the file changed while it was being archived")
        final_dir = source_dir / vintage
        entry = ArchiveEntry(
            source=source, vintage=vintage, path=str(final_dir / origin.name),
            original_name=origin.name, origin=origin_label or str(origin.resolve()), sha256=sha,
            size_bytes=target.stat().st_size, row_count=count_rows(target),
            retrieved_at=now.isoformat(timespec="seconds"), restricted=restricted,
            synthetic=is_synthetic(target),
        )
        (tmp / MANIFEST).write_text(json.dumps(asdict(entry), indent=2) + "\n")
        mode = stat.S_IRUSR if restricted else stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
        for f in tmp.iterdir():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
            os.chmod(f, mode)
        os.rename(tmp, final_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return entry, True
