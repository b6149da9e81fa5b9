"""SIGKILL the steps at seeded-random moments; nothing published or archived is ever
partial, and one plain rerun publishes the same release as before.

Twenty kill points: 4 in ingest, 2 in validate, 8 in build, 6 in publish. Each delay
is drawn from the step's own measured working time (from its `started` to its
`done` log line in an uninterrupted run), so the kills land in the work, not in
Python's start-up or shutdown. Publishing a release takes milliseconds, so three of
the publish kills count from its `assembling the release in .tmp-*` log line
instead, over the measured time from that line to `latest points at it`. After every kill the test checks:

* `output/latest` and `output/LATEST`, if present, name a complete release (its
  manifest is there and every listed file has the listed SHA-256), never `.tmp-*`;
* every release folder is complete; unfinished ones exist only as `.tmp-*`;
* every archive vintage is whole (checksum and size as its manifest says);
  unfinished landings exist only as `.landing-*`;
* the DuckDB warehouse opens;
* the run's run.json is readable, and what it claims (validated, built) is there.

Then one plain `python -m transforms run` must succeed, publish the release the
uninterrupted run published (same id, byte-identical manifest) and leave no
`.landing-*`, `.tmp-*` or `staged.tmp` behind.
"""

from __future__ import annotations

import json
import random
import shutil
import time

import pandas as pd
import pytest

from tests.integration.kill_harness import (
    ASSEMBLING,
    archive_report,
    assembly_seconds,
    release_report,
    run_report,
    run_step,
    warehouse_opens,
)
from tests.support import write_config
from transforms import inputs
from transforms.config import load_config
from transforms.publish.release import point_latest, read_release_log
from transforms.publish.release import publish as publish_release
from transforms.runstate import RunState

pytestmark = pytest.mark.slow

SEED = 20250401
KILLS = {"ingest": 4, "validate": 2, "build": 8, "compare": 2, "publish": 6}
ATTEMPTS = 4  # a step that finished before its kill is tried again with a shorter delay


def _copy_run(cfg, source: str, run_id: str) -> None:
    """A new run holding the inputs of `source`, ingested but not validated."""
    state = RunState.load(cfg.runs_dir, source)
    state.run_id, state.validated, state.built, state.compared, state.release_id = run_id, False, False, False, None
    state.save(cfg.runs_dir)


def _remove_vintages(raw_dir) -> None:
    """Empty the archive of whole vintages (not of unfinished landings) so ingest has work."""
    for vintage in raw_dir.glob("*/*"):
        if not vintage.name.startswith("."):
            shutil.rmtree(vintage)


def test_killed_steps_never_leave_a_partial_release_and_a_rerun_completes(tmp_path):
    started_at = time.monotonic()
    config = write_config(tmp_path)
    cfg = load_config(config)
    logs = tmp_path / "logs"
    logs.mkdir()
    rng = random.Random(SEED)
    kills: list[dict] = []

    def kill(step: str, run_id: str, work: float, before=None, marker=None) -> None:
        """One kill point: retry with a shorter delay if the step finished first."""
        limit = work
        for attempt in range(ATTEMPTS):
            if before:
                before()
            delay = rng.uniform(0, 0.9 * limit)
            outcome = run_step(
                config, logs, step, run_id, kill_after=delay, tag=f"-kill{len(kills)}-{attempt}", marker=marker
            )
            if outcome.killed:
                break
            assert outcome.returncode == 0, outcome.log[-3000:]
            limit = limit * 0.5
        assert outcome.killed, f"{step} finished before every kill attempt"
        record = {
            "step": step,
            "from": marker or "started",
            "delay_s": round(delay, 4),
            "attempts": attempt + 1,
            "archive": archive_report(cfg.raw_dir),
            "release": release_report(cfg.output_dir),
            "warehouse_tables": warehouse_opens(cfg.warehouse),
            "run": run_report(cfg.runs_dir, run_id) if (cfg.runs_dir / run_id / "run.json").exists() else None,
        }
        kills.append(record)

    # Ingest: calibrate on an empty archive, then kill ingests that have everything to land.
    calibration = run_step(config, logs, "ingest", "calibration")
    assert calibration.returncode == 0, calibration.log[-3000:]
    for i in range(KILLS["ingest"]):
        kill("ingest", f"ingest-kill-{i}", calibration.work_seconds, before=lambda: _remove_vintages(cfg.raw_dir))
    landings_left = archive_report(cfg.raw_dir)["landings"]
    plain = run_step(config, logs, "ingest", "base")
    assert plain.returncode == 0, plain.log[-3000:]
    assert archive_report(cfg.raw_dir) == {
        "vintages": len(inputs.input_files(cfg)),
        "landings": 0,
    }  # cleaned by the next ingest

    # Validate: calibrate on the base run, kill copies of it.
    validate_plain = run_step(config, logs, "validate", "base")
    assert validate_plain.returncode == 0, validate_plain.log[-3000:]
    for i in range(KILLS["validate"]):
        _copy_run(cfg, "base", f"validate-kill-{i}")
        kill("validate", f"validate-kill-{i}", validate_plain.work_seconds)

    # Build, compare and publish the base run once without interruption: the release to reproduce.
    build_plain = run_step(config, logs, "build", "base")
    assert build_plain.returncode == 0, build_plain.log[-3000:]
    compare_plain = run_step(config, logs, "compare", "base")
    assert compare_plain.returncode == 0, compare_plain.log[-3000:]
    earlier_mart = tmp_path / "earlier.parquet"
    pd.DataFrame({"x": [1]}).to_parquet(earlier_mart)
    earlier = publish_release(
        [earlier_mart], releases_dir=cfg.releases_dir, inputs=[{"sha256": "00" * 32}], run_id="earlier", synthetic=False
    )
    publish_plain = run_step(config, logs, "publish", "base")
    assert publish_plain.returncode == 0, publish_plain.log[-3000:]
    release = (cfg.output_dir / "latest").resolve()
    assert release != earlier.resolve()
    manifest_bytes = (release / "manifest.json").read_bytes()
    outputs = {p.relative_to(release).as_posix(): p.read_bytes() for p in release.rglob("*.parquet")}
    assert outputs, "the release holds the indicator dataset"

    def back_to_earlier() -> None:
        """As before the publish: `latest` on the earlier release, the base release not there."""
        point_latest(cfg.output_dir, earlier)
        shutil.rmtree(release, ignore_errors=True)

    assembly = assembly_seconds(publish_plain.log)
    for i in range(KILLS["publish"]):
        if i % 2:
            kill("publish", "base", assembly, before=back_to_earlier, marker=ASSEMBLING)
        else:
            kill("publish", "base", publish_plain.work_seconds, before=back_to_earlier)
        assert kills[-1]["release"]["latest"] in {earlier.name, release.name}

    for _ in range(KILLS["compare"]):
        kill("compare", "base", compare_plain.work_seconds)
    for _ in range(KILLS["build"]):
        kill("build", "base", build_plain.work_seconds)

    # One plain rerun, as an operator would start it after the crashes.
    rerun = run_step(config, logs, "run", "rerun")
    assert rerun.returncode == 0, rerun.log[-3000:]
    final = release_report(cfg.output_dir)
    assert final["latest"] == release.name and final["tmp_releases"] == 0
    assert (release / "manifest.json").read_bytes() == manifest_bytes
    assert {p.relative_to(release).as_posix(): p.read_bytes() for p in release.rglob("*.parquet")} == outputs
    assert sorted(final["releases"]) == sorted([earlier.name, release.name])
    assert archive_report(cfg.raw_dir) == {"vintages": len(inputs.input_files(cfg)), "landings": 0}
    assert not list(cfg.runs_dir.glob("*/staged.tmp"))
    assert not list(cfg.output_dir.glob(".*.tmp"))
    assert warehouse_opens(cfg.warehouse) > 0
    assert read_release_log(cfg.output_dir)[-1]["run_id"] == "rerun"
    assert (cfg.output_dir / "LATEST").read_text().strip() == release.name

    assert len(kills) == sum(KILLS.values()) == 22
    summary = {
        "kills": len(kills),
        "by_step": {s: sum(k["step"] == s for k in kills) for s in KILLS},
        "attempts": sum(k["attempts"] for k in kills),
        "ingest_kills_leaving_a_landing": sum(k["step"] == "ingest" and k["archive"]["landings"] > 0 for k in kills),
        "landings_left_before_the_plain_ingest": landings_left,
        "validate_kills_leaving_staged_tmp": sum(k["step"] == "validate" and k["run"]["staged_tmp"] for k in kills),
        "publish_kills_with_latest_on_the_earlier_release": sum(
            k["step"] == "publish" and k["release"]["latest"] == earlier.name for k in kills
        ),
        "publish_kills_leaving_a_tmp_release": sum(
            k["step"] == "publish" and k["release"]["tmp_releases"] > 0 for k in kills
        ),
        "publish_kills_after_the_release_was_renamed_before_latest_moved": sum(
            k["step"] == "publish"
            and release.name in k["release"]["releases"]
            and k["release"]["latest"] == earlier.name
            for k in kills
        ),
        "build_kills_leaving_a_wal": sum(k["step"] == "build" and k["run"]["wal"] for k in kills),
        "build_kills_with_run_not_built": sum(k["step"] == "build" and not k["run"]["built"] for k in kills),
        "seconds": round(time.monotonic() - started_at, 1),
        "work_seconds": {
            "ingest": round(calibration.work_seconds, 2),
            "validate": round(validate_plain.work_seconds, 2),
            "build": round(build_plain.work_seconds, 2),
            "compare": round(compare_plain.work_seconds, 2),
            "publish": round(publish_plain.work_seconds, 3),
            "publish_assembly": round(assembly, 3),
        },
    }
    print("kill recovery:", json.dumps(summary), "\n", json.dumps(kills))
