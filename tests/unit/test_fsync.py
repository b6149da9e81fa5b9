"""transforms.fsync: folders are flushed, and a folder that cannot be is an error unless best effort."""

from __future__ import annotations

import pytest

from transforms.fsync import fsync_dir, fsync_tree


def test_a_missing_folder_is_an_error_unless_best_effort(tmp_path):
    with pytest.raises(FileNotFoundError):
        fsync_dir(tmp_path / "absent")
    fsync_dir(tmp_path / "absent", best_effort=True)


def test_a_tree_is_flushed_without_changing_it(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "part-0.parquet").write_bytes(b"PAR1")
    (tmp_path / "manifest.json").write_text("{}")
    fsync_tree(tmp_path)
    fsync_dir(tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "a",
        "a/b",
        "a/b/part-0.parquet",
        "manifest.json",
    ]
    assert (tmp_path / "a" / "b" / "part-0.parquet").read_bytes() == b"PAR1"
