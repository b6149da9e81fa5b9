"""The raw archive keeps every input exactly once, immutably, with its manifest."""

import hashlib
import json
import stat

from transforms.archive import ArchiveEntry, land


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
