"""Publish a run's marts as an immutable release, then move `latest` to it.

A release is assembled in a hidden temporary folder (`.tmp-*`) and renamed into
output/releases/<release_id>/ in one step, and only then does `latest` move (a
symlink replaced atomically, plus a LATEST text file for tools that do not follow
links). A crash at any point leaves the previous release and `latest` as they were;
what a killed publish leaves behind (`.tmp-*`, `.latest.tmp`, `.LATEST.tmp`) is
removed by `remove_unfinished` at the next publish, under the release lock. The
assembled folder is checked (`check`, the disclosure check of
transforms.publish.release_scan) before the rename, so a release that fails it is
never published.

manifest.json holds only what the content determines (inputs' checksums, outputs'
checksums, code version, flags), and the release id is a digest of it: the same
inputs and code give the same release id and a byte-identical manifest, on any day
and in any run. When and by which run a release was made is kept apart:

* `<release>/provenance.json`: the run that created it, when, and where and when
  each input was retrieved (written once, with the release);
* `output/release_log.jsonl`: one line per publication (every time `latest` is
  pointed at a release, new or already there): time, run id, release id.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import pyarrow.parquet as pq

from transforms import __version__
from transforms.archive import file_sha256
from transforms.config import REPO_ROOT
from transforms.fsync import fsync_dir, fsync_tree

log = logging.getLogger(__name__)

SYNTHETIC_NOTICE = (
    "SYNTHETIC: the patient-level input of this release is synthetic. "
    "Its figures are not real and must not be used for decisions."
)


def code_version() -> str:
    """The git commit of the code that built the release, when it is a git checkout."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        return f"{__version__}+{sha[:12]}{'.dirty' if dirty else ''}"
    except (OSError, subprocess.SubprocessError):
        return __version__


RELEASE_LOG = "release_log.jsonl"
PROVENANCE = "provenance.json"
TMP_PREFIX = ".tmp-"


def release_id_for(manifest: dict) -> str:
    """A digest of the content manifest (without its id): same content, same id."""
    body = {k: v for k, v in manifest.items() if k != "release_id"}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]


def _output_entry(release_dir: Path, rel: str) -> dict:
    path = release_dir / rel
    meta = pq.ParquetFile(path).metadata
    return {
        "file": rel,
        "rows": meta.num_rows,
        "bytes": path.stat().st_size,
        "sha256": file_sha256(path),
        "columns": meta.schema.to_arrow_schema().names,
    }


def _release_paths(outputs: Sequence[Path] | Mapping[str, Path]) -> dict[str, Path]:
    """Each output by its path inside the release: a file name, or a relative path such as
    `indicators/geography_level=hscp/indicator_id=x/part-0.parquet`; refuses one that leaves the folder."""
    pairs = outputs.items() if isinstance(outputs, Mapping) else ((Path(p).name, p) for p in outputs)
    paths = {}
    for rel, src in pairs:
        pure = PurePosixPath(rel)
        if pure.is_absolute() or ".." in pure.parts or not pure.parts or rel != pure.as_posix():
            raise ValueError(f"output path {rel!r} must be a plain relative path inside the release")
        paths[rel] = Path(src)
    return paths


def is_complete(release_dir: Path) -> bool:
    """A release folder whose manifest lists outputs that are all there, unchanged."""
    try:
        manifest = json.loads((release_dir / "manifest.json").read_text())
        files = [*manifest["outputs"], *manifest["attachments"]]
        return all(file_sha256(release_dir / f["file"]) == f["sha256"] for f in files)
    except (OSError, ValueError, KeyError, TypeError):
        return False


def remove_unfinished(output_dir: Path) -> list[Path]:
    """Delete what a killed publish left (`.tmp-*` releases, temporary links).

    Only while holding the release lock: another publisher's `.tmp-*` folder is
    unfinished too, until it is renamed.
    """
    releases_dir = output_dir / "releases"
    leftovers = sorted(releases_dir.glob(f"{TMP_PREFIX}*")) if releases_dir.is_dir() else []
    leftovers += [p for p in (output_dir / ".latest.tmp", output_dir / ".LATEST.tmp") if p.is_symlink() or p.exists()]
    for p in leftovers:
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
    return leftovers


def append_release_log(output_dir: Path, record: dict) -> None:
    """Add one line to output/release_log.jsonl (under the release lock).

    A line cut short by a crash is kept but ended, so the next line stays whole;
    `read_release_log` skips it.
    """
    path = output_dir / RELEASE_LOG
    line = json.dumps(record, sort_keys=True) + "\n"
    with open(path, "a+b") as fh:
        fh.seek(0, os.SEEK_END)
        if fh.tell():
            fh.seek(-1, os.SEEK_END)
            if fh.read(1) != b"\n":
                line = "\n" + line
        fh.write(line.encode())
        fh.flush()
        os.fsync(fh.fileno())


def read_release_log(output_dir: Path) -> list[dict]:
    path = output_dir / RELEASE_LOG
    records = []
    if path.is_file():
        for line in path.read_text().splitlines():
            try:
                records.append(json.loads(line))
            except ValueError:
                continue  # a line a killed publish did not finish
    return records


def point_latest(output_dir: Path, release_dir: Path) -> None:
    """Atomically point output/latest (symlink) and output/LATEST (text) at a release."""
    link_tmp = output_dir / ".latest.tmp"
    if link_tmp.is_symlink() or link_tmp.exists():
        link_tmp.unlink()
    os.symlink(os.path.relpath(release_dir, output_dir), link_tmp)
    os.replace(link_tmp, output_dir / "latest")
    text_tmp = output_dir / ".LATEST.tmp"
    text_tmp.write_text(release_dir.name + "\n")
    os.replace(text_tmp, output_dir / "LATEST")
    fsync_dir(output_dir)


def publish(
    outputs: Sequence[Path] | Mapping[str, Path],
    *,
    releases_dir: Path,
    inputs: list[dict],
    run_id: str,
    synthetic: bool,
    extra: dict | None = None,
    attachments: list[Path] = (),
    provenance: dict | None = None,
    now: datetime | None = None,
    check: Callable[[Path], None] | None = None,
) -> Path:
    """Write the release folder atomically and move `latest`; returns the release folder.

    `outputs` are the Parquet outputs: files copied under their own name, or a mapping
    of path inside the release to file (a partitioned dataset). `attachments` (e.g.
    indicators.json) are copied beside them and listed in the manifest with their
    checksums. `inputs` go into the manifest as given, so they must hold only content
    (checksums, names, counts); `provenance` (e.g. where and when each input was
    retrieved) goes to provenance.json with the run id and the time.

    `check` is called with the assembled folder (every file written) before it is
    renamed into place: if it raises (e.g. `release_scan.assert_publishable`), nothing is
    published and `latest` does not move.
    """
    outputs = _release_paths(outputs)
    now = now or datetime.now(UTC)
    version = code_version()
    output_dir = releases_dir.parent
    releases_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{os.getpid()}-", dir=releases_dir))
    os.chmod(tmp, 0o755)
    log.info("assembling the release in %s", tmp)
    try:
        for rel, src in [*outputs.items(), *((a.name, a) for a in attachments)]:
            (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, tmp / rel)
        manifest = {
            "release_id": None,
            "synthetic": synthetic,
            "notice": SYNTHETIC_NOTICE if synthetic else None,
            "code_version": version,
            "inputs": inputs,
            "outputs": [_output_entry(tmp, rel) for rel in outputs],
            "attachments": [{"file": a.name, "sha256": file_sha256(tmp / a.name)} for a in attachments],
            **(extra or {}),
        }
        release_id = release_id_for(manifest)
        manifest["release_id"] = release_id
        final = releases_dir / release_id
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        (tmp / PROVENANCE).write_text(
            json.dumps(
                {
                    "release_id": release_id,
                    "created_at": now.isoformat(timespec="seconds"),
                    "run_id": run_id,
                    **(provenance or {}),
                },
                indent=2,
            )
            + "\n"
        )
        if synthetic:
            (tmp / "SYNTHETIC_DATA.txt").write_text(SYNTHETIC_NOTICE + "\n")
        if check is not None:
            check(tmp)  # the whole folder, as it would be published
        created = not final.exists()
        if created:
            fsync_tree(tmp)
            os.rename(tmp, final)
            fsync_dir(releases_dir)
        else:  # the same content was published before: nothing new to write
            shutil.rmtree(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    point_latest(output_dir, final)
    append_release_log(
        output_dir,
        {
            "published_at": now.isoformat(timespec="seconds"),
            "run_id": run_id,
            "release_id": release_id,
            "new_release": created,
        },
    )
    return final
