"""The raw archive keeps every input exactly once, immutably, with its manifest.

Manifests hold only content (when and where a file was retrieved is kept beside
them); leftovers of a killed landing are ignored by readers and removed on the next run.
"""

import hashlib
import json
import stat
from datetime import UTC, datetime

from transforms import archive
from transforms.archive import ArchiveEntry, land, remove_unfinished_landings

MONDAY = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
FRIDAY = datetime(2025, 6, 6, 17, 30, tzinfo=UTC)


def test_landing_copies_the_file_and_records_its_manifest(tmp_path):
    src = tmp_path / "lookup.csv"
    src.write_bytes(b"datazone2011,hscp_locality,hscp2019\r\nS01006506,Aberdeen Central,S37000001\r\n")
    entry, is_new = land("locality_lookup", src, tmp_path / "raw")
    assert is_new
    archived = tmp_path / "raw" / "locality_lookup" / entry.vintage / "lookup.csv"
    assert archived.read_bytes() == src.read_bytes()  # unchanged, CRLF and all
    manifest = json.loads((archived.parent / "manifest.json").read_text())
    assert manifest["sha256"] == hashlib.sha256(src.read_bytes()).hexdigest()
    assert manifest["size_bytes"] == len(src.read_bytes())
    assert manifest["row_count"] == 1
    # Where and when it was retrieved is recorded beside the manifest, not in it.
    provenance = json.loads((archived.parent / "provenance.json").read_text())
    assert provenance["origin"] == str(src.resolve())
    assert provenance["retrieved_at"] and manifest["synthetic"] is False
    assert ArchiveEntry.read(archived.parent) == entry
    assert not archived.stat().st_mode & stat.S_IWUSR  # read-only once archived


def test_relanding_an_identical_file_is_a_no_op(tmp_path):
    src = tmp_path / "a.csv"
    src.write_text("x\n1\n")
    first, _ = land("s", src, tmp_path / "raw")
    second, is_new = land("s", src, tmp_path / "raw")
    assert not is_new and second == first
    assert len(list((tmp_path / "raw" / "s").iterdir())) == 1


def test_a_changed_file_becomes_a_new_vintage_and_the_old_one_stays(tmp_path):
    src = tmp_path / "a.csv"
    src.write_text("x\n1\n")
    first, _ = land("s", src, tmp_path / "raw")
    src.chmod(0o644)
    src.write_text("x\n2\n")
    second, is_new = land("s", src, tmp_path / "raw")
    assert is_new and second.vintage != first.vintage
    assert (tmp_path / "raw" / "s" / first.vintage / "a.csv").read_text() == "x\n1\n"


def test_restricted_inputs_are_owner_only_and_synthetic_files_say_so(tmp_path, synthetic_extract):
    entry, _ = land("smr01_episodes", synthetic_extract, tmp_path / "raw", restricted=True)
    folder = tmp_path / "raw" / "smr01_episodes" / entry.vintage
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / synthetic_extract.name).stat().st_mode) == 0o400
    assert entry.synthetic and entry.restricted
    assert entry.row_count > 100_000
    assert not list((tmp_path / "raw" / "smr01_episodes").glob(".landing-*"))


def test_two_archives_of_the_same_file_hold_byte_identical_manifests(tmp_path):
    src = tmp_path / "lookup.csv"
    src.write_text("datazone2011,hscp_locality,hscp2019\nS01006506,Aberdeen Central,S37000001\n")
    first, _ = land("locality_lookup", src, tmp_path / "a", now=MONDAY)
    second, _ = land("locality_lookup", src, tmp_path / "b", now=FRIDAY)
    assert first.vintage == second.vintage == first.sha256[:16]
    a = tmp_path / "a" / "locality_lookup" / first.vintage
    b = tmp_path / "b" / "locality_lookup" / second.vintage
    assert (a / "manifest.json").read_bytes() == (b / "manifest.json").read_bytes()
    manifest = json.loads((a / "manifest.json").read_text())
    assert not {"retrieved_at", "origin", "path"} & set(manifest)
    assert json.loads((a / "provenance.json").read_text())["retrieved_at"] == "2025-06-02T09:00:00+00:00"
    assert json.loads((b / "provenance.json").read_text())["retrieved_at"] == "2025-06-06T17:30:00+00:00"
    assert ArchiveEntry.read(a).retrieved_at == "2025-06-02T09:00:00+00:00"


def test_a_vintage_of_the_earlier_layout_is_still_found_and_reused(tmp_path):
    src = tmp_path / "a.csv"
    src.write_text("x\n1\n")
    sha = archive.file_sha256(src)
    old = tmp_path / "raw" / "s" / f"20250101T000000Z_{sha[:16]}"
    old.mkdir(parents=True)
    (old / "a.csv").write_bytes(src.read_bytes())
    (old / "manifest.json").write_text(
        json.dumps(
            {
                "source": "s",
                "vintage": old.name,
                "path": str(old / "a.csv"),
                "original_name": "a.csv",
                "origin": str(src),
                "sha256": sha,
                "size_bytes": 4,
                "row_count": 1,
                "retrieved_at": "2025-01-01T00:00:00+00:00",
                "restricted": False,
                "synthetic": False,
                "warnings": [],
            }
        )
    )
    entry, is_new = land("s", src, tmp_path / "raw")
    assert not is_new and entry.vintage == old.name and entry.retrieved_at.startswith("2025-01-01")
    assert sorted(p.name for p in (tmp_path / "raw" / "s").iterdir()) == [old.name]


def test_an_unfinished_landing_is_ignored_then_removed(tmp_path):
    src = tmp_path / "a.csv"
    src.write_text("x\n1\n")
    raw = tmp_path / "raw"
    # What a landing killed half-way through the copy leaves: a hidden folder, a partial file.
    debris = raw / "s" / ".landing-abc123"
    debris.mkdir(parents=True)
    (debris / "a.csv").write_text("x\n")
    entry, is_new = land("s", src, raw)
    assert is_new and (raw / "s" / entry.vintage / "a.csv").read_text() == "x\n1\n"
    assert archive.unfinished_landings(raw) == [debris]
    assert remove_unfinished_landings(raw) == [debris]
    assert sorted(p.name for p in (raw / "s").iterdir()) == [entry.vintage]
