"""The raw archive never writes or reads outside raw_dir, whatever names or symlinks it meets.

The CKAN-to-archive path (names and URLs from package_show) is tested in
tests/unit/sources/test_ckan_client.py; these cases call transforms.archive directly with the
names and folders a bad configuration or a tampered archive could give it.
"""

from __future__ import annotations

import json
import os

import pytest

from transforms.archive import ArchiveEntry, UnsafeArchivePath, file_sha256, land, vintage_name


@pytest.fixture
def world(tmp_path):
    """An input file, an empty archive and a folder outside it that must stay empty."""
    src = tmp_path / "in" / "lookup.csv"
    src.parent.mkdir()
    src.write_text("datazone2011,hscp_locality,hscp2019\nS01006506,Aberdeen Central,S37000001\n")
    raw, outside = tmp_path / "raw", tmp_path / "outside"
    raw.mkdir()
    outside.mkdir()
    return src, raw, outside


@pytest.mark.parametrize("source", ["../escaped", "/tmp/escaped", "a/b", "..", ".", "", ".hidden", "a\x00b"])
def test_source_name_that_is_not_one_plain_name_is_refused(world, source):
    src, raw, outside = world
    with pytest.raises(UnsafeArchivePath, match="source name"):
        land(source, src, raw)
    assert list(raw.iterdir()) == [] and list(outside.iterdir()) == []


@pytest.mark.parametrize("name", ["back\\slash.csv", "new\nline.csv", "tab\t.csv"])
def test_input_file_name_with_a_separator_or_control_character_is_refused(world, name):
    src, raw, _ = world
    odd = src.with_name(name)
    src.rename(odd)
    with pytest.raises(UnsafeArchivePath, match="not a plain file name"):
        land("locality_lookup", odd, raw)
    assert list(raw.iterdir()) == []


def test_symlinked_source_folder_leading_outside_is_refused(world):
    src, raw, outside = world
    (raw / "locality_lookup").symlink_to(outside)
    with pytest.raises(UnsafeArchivePath, match="outside the archive"):
        land("locality_lookup", src, raw)
    assert list(outside.iterdir()) == []


def test_symlink_inside_the_archive_is_still_allowed(world):
    src, raw, _ = world
    (raw / "elsewhere").mkdir()
    (raw / "locality_lookup").symlink_to(raw / "elsewhere")
    entry, is_new = land("locality_lookup", src, raw)
    assert is_new and (raw / "elsewhere" / entry.vintage / "lookup.csv").read_bytes() == src.read_bytes()


def test_forged_vintage_symlink_is_not_taken_as_archived(world):
    """A symlink named like the vintage, to a folder with a manifest claiming the same checksum."""
    src, raw, outside = world
    sha = file_sha256(src)
    (outside / "lookup.csv").write_text("forged\n")
    (outside / "manifest.json").write_text(
        json.dumps(
            {
                "source": "locality_lookup",
                "vintage": vintage_name(sha),
                "original_name": "lookup.csv",
                "sha256": sha,
                "size_bytes": 7,
                "row_count": 0,
                "restricted": False,
                "synthetic": False,
                "warnings": [],
                "origin": "x",
                "retrieved_at": "2025-01-01T00:00:00+00:00",
            }
        )
    )
    (raw / "locality_lookup").mkdir()
    (raw / "locality_lookup" / vintage_name(sha)).symlink_to(outside)
    with pytest.raises(UnsafeArchivePath, match="outside the archive"):
        land("locality_lookup", src, raw)
    assert sorted(p.name for p in outside.iterdir()) == ["lookup.csv", "manifest.json"]


def test_archived_file_swapped_for_a_symlink_outside_is_refused(world):
    src, raw, outside = world
    entry, _ = land("locality_lookup", src, raw)
    archived = raw / "locality_lookup" / entry.vintage / "lookup.csv"
    (outside / "secret.txt").write_text("not archive data\n")
    os.chmod(archived.parent, 0o755)
    archived.unlink()
    archived.symlink_to(outside / "secret.txt")
    with pytest.raises(UnsafeArchivePath, match="outside the archive"):
        land("locality_lookup", src, raw)  # would otherwise return the entry and its path


def test_manifest_naming_a_file_outside_its_vintage_is_refused(world):
    src, raw, _ = world
    entry, _ = land("locality_lookup", src, raw)
    folder = raw / "locality_lookup" / entry.vintage
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["original_name"] = "../../../outside/secret.txt"
    os.chmod(folder, 0o755)
    os.chmod(folder / "manifest.json", 0o644)
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(UnsafeArchivePath, match="original_name"):
        ArchiveEntry.read(folder)
