"""A process dying at each named point of publishing or landing leaves nothing partial.

The random kills of test_kill_recovery rarely land in the few milliseconds a release
spends in `.tmp-*` or between its rename and the move of `latest`. Here a forked
child publishes (or lands) and calls `os._exit` exactly at one of those points: like
SIGKILL, no `except`/`finally` block runs and the kernel closes its files. The parent
then checks what is on disk and that the next publish (or ingest) recovers.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil

import pandas as pd
import pytest

from tests.integration.kill_harness import archive_report, release_report
from transforms import archive
from transforms.publish import release
from transforms.publish.release import point_latest, read_release_log, remove_unfinished

DIED = 137


def _die_at(point: str) -> None:
    """Patch this (child) process so that it exits at `point`."""
    real_copy, real_rename, real_replace = shutil.copyfile, os.rename, os.replace
    copies = []

    def copy_then_die(src, dst, **kw):
        copies.append(dst)
        # publish: one output copied, the second cut short; landing: its one file cut short
        if len(copies) == (1 if point == "landing_copy" else 2):
            with open(src, "rb") as fh, open(dst, "wb") as out:
                out.write(fh.read(100))
            os._exit(DIED)
        return real_copy(src, dst, **kw)

    def die_before_rename(src, dst):
        if point == "before_rename":
            os._exit(DIED)
        return real_rename(src, dst)

    def die_after_replace(src, dst):
        real_replace(src, dst)
        if os.path.basename(dst) == "latest":
            os._exit(DIED)

    def die_writing_log(output_dir, record):
        with open(output_dir / release.RELEASE_LOG, "a") as fh:
            fh.write('{"published_at": "20')
        os._exit(DIED)

    if point in ("copying_outputs", "landing_copy"):
        shutil.copyfile = copy_then_die
    elif point == "before_rename":
        os.rename = die_before_rename
    elif point == "before_latest":
        release.point_latest = lambda *a: os._exit(DIED)
    elif point == "between_latest_and_LATEST":
        os.replace = die_after_replace
    elif point == "writing_release_log":
        release.append_release_log = die_writing_log


def _publish_in_child(point, marts, output_dir, pipe):
    _die_at(point)
    release.publish(
        marts, releases_dir=output_dir / "releases", inputs=[{"sha256": "cd" * 32}], run_id="killed", synthetic=False
    )
    os._exit(0)


def _run_child(target, *args) -> int:
    proc = multiprocessing.get_context("fork").Process(target=target, args=(*args, None))
    proc.start()
    proc.join(60)
    return proc.exitcode


@pytest.fixture
def world(tmp_path):
    """An earlier release under `latest`, and the marts of the next one."""
    output = tmp_path / "output"
    old = tmp_path / "old.parquet"
    pd.DataFrame({"x": [1]}).to_parquet(old)
    earlier = release.publish(
        [old], releases_dir=output / "releases", inputs=[{"sha256": "ab" * 32}], run_id="earlier", synthetic=False
    )
    marts = []
    for i in range(3):
        path = tmp_path / "marts" / f"mart_{i}.parquet"
        path.parent.mkdir(exist_ok=True)
        pd.DataFrame({"area": [f"S{i:08d}"] * 500, "value": range(500)}).to_parquet(path)
        marts.append(path)
    return output, earlier, marts


@pytest.mark.parametrize(
    "point", ["copying_outputs", "before_rename", "before_latest", "between_latest_and_LATEST", "writing_release_log"]
)
def test_publish_killed_at_each_point(world, point):
    output, earlier, marts = world
    assert _run_child(_publish_in_child, point, marts, output) == DIED
    seen = release_report(output)  # latest, LATEST and every release folder are whole
    expected_latest = earlier.name if point in ("copying_outputs", "before_rename", "before_latest") else None
    if expected_latest:
        assert seen["latest"] == earlier.name
    assert seen["tmp_releases"] == (1 if point in ("copying_outputs", "before_rename") else 0)
    if point == "between_latest_and_LATEST":  # the link moved, the text file not yet: both whole
        assert (output / "LATEST").read_text().strip() == earlier.name != seen["latest"]

    # The next publish removes the leftovers and finishes the job.
    remove_unfinished(output)
    again = release.publish(
        marts, releases_dir=output / "releases", inputs=[{"sha256": "cd" * 32}], run_id="rerun", synthetic=False
    )
    seen = release_report(output)
    assert seen["latest"] == again.name and seen["tmp_releases"] == 0
    assert sorted(seen["releases"]) == sorted([earlier.name, again.name])
    assert (output / "LATEST").read_text().strip() == again.name
    assert read_release_log(output)[-1]["run_id"] == "rerun"
    assert not list(output.glob(".*.tmp"))


def _land_in_child(point, src, raw, pipe):
    _die_at(point)
    archive.land("smr01_episodes", src, raw, restricted=True)
    os._exit(0)


@pytest.mark.parametrize("point", ["landing_copy", "before_rename"])
def test_landing_killed_half_way_leaves_no_vintage(tmp_path, point):
    src = tmp_path / "extract.csv"
    src.write_text("patient_id,cis_id\n" + "".join(f"P{i:07d},C{i:07d}\n" for i in range(50_000)))
    raw = tmp_path / "raw"
    assert _run_child(_land_in_child, point, src, raw) == DIED
    assert archive_report(raw) == {"vintages": 0, "landings": 1}
    assert archive._existing(raw / "smr01_episodes", archive.file_sha256(src)) is None  # ignored

    assert len(archive.remove_unfinished_landings(raw)) == 1
    entry, is_new = archive.land("smr01_episodes", src, raw, restricted=True)
    assert is_new and archive_report(raw) == {"vintages": 1, "landings": 0}


def test_point_latest_replaces_a_leftover_temporary_link(tmp_path):
    output = tmp_path / "output"
    (output / "releases" / "r1").mkdir(parents=True)
    os.symlink("releases/gone", output / ".latest.tmp")  # left by a kill inside point_latest
    point_latest(output, output / "releases" / "r1")
    assert (output / "latest").resolve() == (output / "releases" / "r1").resolve()
