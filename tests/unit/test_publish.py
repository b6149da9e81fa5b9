"""Publishing is atomic: a release appears whole or not at all, and `latest` follows."""

import json

import pandas as pd
import pytest

from transforms.publish.release import publish


@pytest.fixture
def mart(tmp_path):
    path = tmp_path / "marts" / "example_indicator.parquet"
    path.parent.mkdir()
    pd.DataFrame({"geography_code": ["S92000003"], "value": [1.5]}).to_parquet(path)
    return path


INPUTS = [{"source": "example", "sha256": "ab" * 32}]


def test_release_folder_manifest_and_latest(tmp_path, mart):
    releases = tmp_path / "output" / "releases"
    release = publish([mart], releases_dir=releases, inputs=INPUTS, run_id="r1", synthetic=True)
    assert release.parent == releases
    manifest = json.loads((release / "manifest.json").read_text())
    assert manifest["outputs"][0]["rows"] == 1 and manifest["synthetic"] is True
    assert (tmp_path / "output" / "latest").resolve() == release.resolve()
    assert (tmp_path / "output" / "LATEST").read_text().strip() == release.name


def test_same_inputs_same_day_reuse_the_release(tmp_path, mart):
    releases = tmp_path / "output" / "releases"
    first = publish([mart], releases_dir=releases, inputs=INPUTS, run_id="r1", synthetic=False)
    second = publish([mart], releases_dir=releases, inputs=INPUTS, run_id="r2", synthetic=False)
    assert first == second and len(list(releases.iterdir())) == 1
    # The run that made it is recorded beside the manifest, not in it (manifest.json is content only).
    assert json.loads((first / "provenance.json").read_text())["run_id"] == "r1"


def test_a_failure_while_assembling_leaves_latest_and_no_partial_release(tmp_path, mart):
    releases = tmp_path / "output" / "releases"
    good = publish([mart], releases_dir=releases, inputs=INPUTS, run_id="r1", synthetic=False)
    missing = mart.parent / "not_built.parquet"
    with pytest.raises(FileNotFoundError):
        publish([mart, missing], releases_dir=releases,
                inputs=[{"source": "example", "sha256": "cd" * 32}], run_id="r2", synthetic=False)
    assert sorted(p.name for p in releases.iterdir()) == [good.name]
    assert (tmp_path / "output" / "latest").resolve() == good.resolve()
