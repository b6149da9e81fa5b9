"""Flushing folders to disk, so that a file written or renamed into one survives a crash.

A rename is durable only once the folder that holds it is flushed; a folder about to be
renamed into place is flushed file by file first (`fsync_tree`).
"""

from __future__ import annotations

import os
from pathlib import Path


def fsync_dir(path: Path, *, best_effort: bool = False) -> None:
    """Flush a folder's entries (a rename into it, a new file) to disk.

    `best_effort` goes on without it where the folder cannot be opened or flushed
    (POSIX only: Windows cannot open a folder); otherwise the OSError is raised.
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        if best_effort:
            return
        raise
    try:
        os.fsync(fd)
    except OSError:
        if not best_effort:
            raise
    finally:
        os.close(fd)


def fsync_tree(folder: Path) -> None:
    """Flush every file and folder under `folder` (and `folder` itself), deepest first."""
    for root, _dirs, files in os.walk(folder, topdown=False):
        for name in files:
            with open(os.path.join(root, name), "rb") as fh:
                os.fsync(fh.fileno())
        fsync_dir(Path(root))
