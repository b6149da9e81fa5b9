"""Release manifests hold only content; times and run ids are kept beside them; leftovers
of a killed publish are ignored by readers and removed on the next run.

(The archive's manifests, and its leftovers of a killed landing: tests/unit/test_archive.py.)
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

import pandas as pd
import pytest

from transforms.publish import release
from transforms.publish.release import publish, read_release_log, remove_unfinished

MONDAY = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
FRIDAY = datetime(2025, 6, 6, 17, 30, tzinfo=UTC)


@pytest.fixture
def mart(tmp_path):
    path = tmp_path / "marts" / "example_indicator.parquet"
    path.parent.mkdir()
    pd.DataFrame({"geography_code": ["S92000003", "S12000033"], "value": [1.5, 2.5]}).to_parquet(path)
    return path


INPUTS = [{"source": "example", "sha256": "ab" * 32, "vintage": "abababababababab"}]


def test_the_same_content_gives_the_same_release_and_manifest_on_another_day(tmp_path, mart):
    one = publish(
        [mart],
        releases_dir=tmp_path / "one" / "releases",
        inputs=INPUTS,
        run_id="monday-run",
        synthetic=True,
        now=MONDAY,
        provenance={"inputs": [{"source": "example", "origin": "/x"}]},
    )
    two = publish(
        [mart],
        releases_dir=tmp_path / "two" / "releases",
        inputs=INPUTS,
        run_id="friday-run",
        synthetic=True,
        now=FRIDAY,
    )
    assert one.name == two.name == json.loads((one / "manifest.json").read_text())["release_id"]
    assert (one / "manifest.json").read_bytes() == (two / "manifest.json").read_bytes()
    manifest = json.loads((one / "manifest.json").read_text())
    assert not {"created_at", "run_id"} & set(manifest)
    provenance = json.loads((one / "provenance.json").read_text())
    assert provenance == {
        "release_id": one.name,
        "created_at": "2025-06-02T09:00:00+00:00",
        "run_id": "monday-run",
        "inputs": [{"source": "example", "origin": "/x"}],
    }
    assert release.is_complete(one) and release.is_complete(two)


def test_other_content_gives_another_release(tmp_path, mart):
    releases = tmp_path / "output" / "releases"
    first = publish([mart], releases_dir=releases, inputs=INPUTS, run_id="r1", synthetic=False)
    pd.DataFrame({"geography_code": ["S92000003"], "value": [9.0]}).to_parquet(mart)
    second = publish([mart], releases_dir=releases, inputs=INPUTS, run_id="r2", synthetic=False)
    assert first != second  # same inputs, other outputs (e.g. another period): never the old release
    assert (tmp_path / "output" / "latest").resolve() == second.resolve()


def test_every_publication_is_logged_and_a_cut_line_does_not_spoil_the_log(tmp_path, mart):
    releases = tmp_path / "output" / "releases"
    first = publish([mart], releases_dir=releases, inputs=INPUTS, run_id="r1", synthetic=False, now=MONDAY)
    log_file = tmp_path / "output" / "release_log.jsonl"
    with open(log_file, "a") as fh:
        fh.write('{"published_at": "2025-06-0')  # a publish killed while writing its line
    publish([mart], releases_dir=releases, inputs=INPUTS, run_id="r2", synthetic=False, now=FRIDAY)
    assert read_release_log(tmp_path / "output") == [
        {"published_at": "2025-06-02T09:00:00+00:00", "run_id": "r1", "release_id": first.name, "new_release": True},
        {"published_at": "2025-06-06T17:30:00+00:00", "run_id": "r2", "release_id": first.name, "new_release": False},
    ]
    assert json.loads((first / "provenance.json").read_text())["run_id"] == "r1"  # written once


def test_leftovers_of_a_killed_publish_are_removed_and_never_latest(tmp_path, mart):
    output = tmp_path / "output"
    good = publish([mart], releases_dir=output / "releases", inputs=INPUTS, run_id="r1", synthetic=False)
    partial = output / "releases" / ".tmp-4242-xyz"
    partial.mkdir()
    (partial / "example_indicator.parquet").write_bytes(b"PAR1")
    os.symlink("releases/.tmp-4242-xyz", output / ".latest.tmp")
    (output / ".LATEST.tmp").write_text(".tmp-4242-xyz\n")
    assert (output / "latest").resolve() == good.resolve()
    assert not release.is_complete(partial)
    removed = remove_unfinished(output)
    assert sorted(p.name for p in removed) == [".LATEST.tmp", ".latest.tmp", ".tmp-4242-xyz"]
    assert sorted(p.name for p in output.iterdir()) == ["LATEST", "latest", "release_log.jsonl", "releases"]
    assert [p.name for p in (output / "releases").iterdir()] == [good.name]
