"""Publish a run's marts as an immutable release, then move `latest` to it.

A release is assembled in a hidden temporary folder and renamed into
output/releases/<release_id>/ in one step, and only then does `latest` move (a
symlink replaced atomically, plus a LATEST text file for tools that do not follow
links). A crash at any point leaves the previous release and `latest` as they were.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pyarrow.parquet as pq

from transforms import __version__
from transforms.archive import file_sha256
from transforms.config import REPO_ROOT

SYNTHETIC_NOTICE = ("SYNTHETIC: the patient-level input of this release is synthetic. "
                    "Its figures are not real and must not be used for decisions.")


def code_version() -> str:
    """The git commit of the code that built the release, when it is a git checkout."""
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                             text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=REPO_ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        return f"{__version__}+{sha[:12]}{'.dirty' if dirty else ''}"
    except (OSError, subprocess.SubprocessError):
        return __version__


def release_id_for(inputs: list[dict], version: str, when: datetime) -> str:
    """Date of publication plus a digest of the inputs and code: same inputs, same id."""
    digest = hashlib.sha256(json.dumps(
        {"inputs": sorted(i["sha256"] for i in inputs), "code": version}, sort_keys=True
    ).encode()).hexdigest()
    return f"{when:%Y-%m-%d}_{digest[:10]}"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _output_entry(path: Path) -> dict:
    meta = pq.ParquetFile(path).metadata
    return {"file": path.name, "rows": meta.num_rows, "bytes": path.stat().st_size,
            "sha256": file_sha256(path), "columns": meta.schema.to_arrow_schema().names}


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
    _fsync_dir(output_dir)


def publish(marts: list[Path], *, releases_dir: Path, inputs: list[dict], run_id: str,
            synthetic: bool, extra: dict | None = None, attachments: list[Path] = (),
            now: datetime | None = None) -> Path:
    """Write the release folder atomically and move `latest`; returns the release folder.

    `marts` are the Parquet outputs; `attachments` (e.g. indicators.json) are copied
    beside them and listed in the manifest with their checksums.
    """
    now = now or datetime.now(timezone.utc)
    version = code_version()
    release_id = release_id_for(inputs, version, now)
    final = releases_dir / release_id
    releases_dir.mkdir(parents=True, exist_ok=True)
    if final.exists():  # the same inputs and code were already published today
        point_latest(releases_dir.parent, final)
        return final
    tmp = releases_dir / f".tmp-{release_id}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        for src in [*marts, *attachments]:
            shutil.copyfile(src, tmp / src.name)
        manifest = {
            "release_id": release_id,
            "created_at": now.isoformat(timespec="seconds"),
            "run_id": run_id,
            "synthetic": synthetic,
            "notice": SYNTHETIC_NOTICE if synthetic else None,
            "code_version": version,
            "inputs": inputs,
            "outputs": [_output_entry(tmp / src.name) for src in marts],
            "attachments": [{"file": a.name, "sha256": file_sha256(tmp / a.name)} for a in attachments],
            **(extra or {}),
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        if synthetic:
            (tmp / "SYNTHETIC_DATA.txt").write_text(SYNTHETIC_NOTICE + "\n")
        for f in tmp.iterdir():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
        _fsync_dir(tmp)
        os.rename(tmp, final)
        _fsync_dir(releases_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    point_latest(releases_dir.parent, final)
    return final
