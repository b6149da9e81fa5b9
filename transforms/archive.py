"""The immutable raw archive: every input exactly as it arrived, with a manifest.

data/raw/<source>/<vintage>/ holds the file, manifest.json and provenance.json. A
vintage is never changed once written: it is built in a hidden temporary folder
(`.landing-*`) and renamed into place, its files are made read-only, and landing a
byte-identical file again returns the existing vintage instead of a new one.

The vintage is named after the content (the first 16 hex digits of its SHA-256), and
manifest.json holds only what the bytes determine (name, checksum, size, rows,
restricted and synthetic flags), so two archives given the same file hold the same
vintage and a byte-identical manifest. When and from where the file was retrieved
(`retrieved_at`, `origin`) is recorded separately in provenance.json. Vintages
written before this layout (`<UTC time>_<digest>`, everything in manifest.json) are
still read and still found by checksum.

A `.landing-*` folder is a landing that did not finish (the process died). Readers
ignore it; `remove_unfinished_landings` deletes it, and must only be called while
holding the archive lock (transforms.pipeline.ingest does).

Nothing is written or read outside `raw_dir`: a source name and a file name must be
one plain path component, and a source folder, vintage folder or archived file that
is a symlink leading out of the archive is refused (`UnsafeArchivePath`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq

from transforms.fsync import fsync_dir, fsync_tree

MANIFEST = "manifest.json"
PROVENANCE = "provenance.json"
LANDING_PREFIX = ".landing-"
# Recorded in provenance.json, not in manifest.json: they say when and from where,
# not what (ArchiveEntry.path is where it lies in this archive, derived on reading).
PROVENANCE_FIELDS = ("origin", "retrieved_at")
_SOURCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class UnsafeArchivePath(ValueError):
    """A name or a symlink would make the archive read or write outside its folder."""


def check_file_name(name: object, what: str) -> str:
    """One path component that stays in its folder: no separator, NUL, control character, '.' or '..'."""
    if (
        not isinstance(name, str)
        or name in ("", ".", "..")
        or "/" in name
        or "\\" in name
        or any(ord(ch) < 32 or ord(ch) == 127 for ch in name)
    ):
        raise UnsafeArchivePath(f"{what}: {name!r} is not a plain file name")
    return name


def _check_inside(path: Path, raw_dir: Path) -> None:
    """Refuse a symlinked path of the archive that resolves outside raw_dir."""
    if not path.is_symlink():
        return
    root = raw_dir.resolve()
    target = path.resolve()
    if target != root and root not in target.parents:
        raise UnsafeArchivePath(f"{path} is a symlink to {target}, outside the archive {root}")


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
    def read(cls, vintage_dir: Path) -> ArchiveEntry:
        vintage_dir = Path(vintage_dir)
        raw = json.loads((vintage_dir / MANIFEST).read_text())
        if (vintage_dir / PROVENANCE).is_file():
            raw.update(json.loads((vintage_dir / PROVENANCE).read_text()))
        check_file_name(raw.get("original_name"), f"{vintage_dir / MANIFEST}: original_name")
        raw["path"] = str(vintage_dir / raw["original_name"])
        return cls(**raw)

    def manifest(self) -> dict:
        """What the file's bytes determine: the same file gives the same manifest."""
        d = asdict(self)
        for key in ("path", *PROVENANCE_FIELDS):
            d.pop(key)
        return d

    def provenance(self) -> dict:
        return {k: getattr(self, k) for k in PROVENANCE_FIELDS}


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


def vintage_name(sha: str) -> str:
    return sha[:16]


def _existing(source_dir: Path, sha: str) -> ArchiveEntry | None:
    raw_dir = source_dir.parent
    candidates = [
        source_dir / vintage_name(sha) / MANIFEST,  # this layout
        *sorted(source_dir.glob(f"*_{sha[:16]}/{MANIFEST}")),
    ]  # <time>_<digest> before it
    for manifest in candidates:
        if manifest.parent.name.startswith("."):
            continue  # an unfinished landing is never a vintage
        _check_inside(manifest.parent, raw_dir)
        if not manifest.is_file():
            continue
        _check_inside(manifest, raw_dir)
        entry = ArchiveEntry.read(manifest.parent)
        if entry.sha256 == sha:
            _check_inside(Path(entry.path), raw_dir)
            return entry
    return None


def unfinished_landings(raw_dir: Path) -> list[Path]:
    """`.landing-*` folders: landings whose process died before the rename."""
    if not raw_dir.is_dir():
        return []
    return sorted(p for p in raw_dir.glob(f"*/{LANDING_PREFIX}*") if p.is_dir())


def remove_unfinished_landings(raw_dir: Path) -> list[Path]:
    """Delete every `.landing-*` folder; only while holding the archive lock."""
    removed = unfinished_landings(raw_dir)
    for folder in removed:
        shutil.rmtree(folder, ignore_errors=True)
    return removed


def land(
    source: str,
    origin: Path,
    raw_dir: Path,
    *,
    restricted: bool = False,
    origin_label: str | None = None,
    now: datetime | None = None,
) -> tuple[ArchiveEntry, bool]:
    """Copy `origin` into the archive unless an identical file is there; (entry, is_new)."""
    origin = Path(origin)
    raw_dir = Path(raw_dir)
    if not isinstance(source, str) or not _SOURCE_NAME.fullmatch(source):
        raise UnsafeArchivePath(f"source name {source!r}: expected letters, digits, '.', '_' and '-'")
    check_file_name(origin.name, f"input for {source!r}")
    if not origin.is_file():
        raise FileNotFoundError(f"input for {source!r} not found: {origin}")
    sha = file_sha256(origin)
    source_dir = raw_dir / source
    _check_inside(source_dir, raw_dir)
    found = _existing(source_dir, sha) if source_dir.exists() else None
    if found is not None:
        return found, False
    now = now or datetime.now(UTC)
    vintage = vintage_name(sha)
    source_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=LANDING_PREFIX, dir=source_dir))
    try:
        if restricted:
            os.chmod(tmp, 0o700)
        target = tmp / origin.name
        shutil.copyfile(origin, target)
        if file_sha256(target) != sha:
            raise OSError(f"{origin}: the file changed while it was being archived")
        final_dir = source_dir / vintage
        entry = ArchiveEntry(
            source=source,
            vintage=vintage,
            path=str(final_dir / origin.name),
            original_name=origin.name,
            origin=origin_label or str(origin.resolve()),
            sha256=sha,
            size_bytes=target.stat().st_size,
            row_count=count_rows(target),
            retrieved_at=now.isoformat(timespec="seconds"),
            restricted=restricted,
            synthetic=is_synthetic(target),
        )
        (tmp / MANIFEST).write_text(json.dumps(entry.manifest(), indent=2) + "\n")
        (tmp / PROVENANCE).write_text(json.dumps(entry.provenance(), indent=2) + "\n")
        mode = stat.S_IRUSR if restricted else stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
        for f in tmp.iterdir():
            os.chmod(f, mode)
        fsync_tree(tmp)
        if final_dir.is_symlink():  # planted: never rename a vintage onto or through it
            raise UnsafeArchivePath(f"{final_dir} is a symlink; refusing to land {origin.name} there")
        if final_dir.exists():  # 64-bit digest prefix shared by two different files
            raise FileExistsError(
                f"{final_dir} exists and holds another file (SHA-256 {ArchiveEntry.read(final_dir).sha256}, not {sha})"
            )
        os.rename(tmp, final_dir)
        fsync_dir(source_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return entry, True
