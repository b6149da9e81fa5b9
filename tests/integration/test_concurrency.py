"""Two processes never write the warehouse, the archive or the release at once.

Real processes (`python -m transforms <step>`): a second step started while another
holds the lock refuses with the holder named when told not to wait, and otherwise
waits for it and then runs; the DuckDB warehouse opens afterwards.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time

import pytest

from tests.integration.kill_harness import (
    release_report,
    run_step,
    start_step,
    step_times,
    wait_for_text,
    warehouse_opens,
)
from tests.support import write_config
from transforms import pipeline
from transforms.config import REPO_ROOT, load_config
from transforms.locking import read_holder
from transforms.runstate import RunState

pytestmark = pytest.mark.slow

HOLDER = """
import sys, time
from pathlib import Path
from transforms.locking import exclusive
with exclusive(Path(sys.argv[1]), name=sys.argv[2], run_id="holder-run", step=sys.argv[3], timeout=0):
    print("locked", flush=True)
    sys.stdin.readline()
"""


class Holder:
    """A process holding one lock until told to let go."""

    def __init__(self, lock, name: str, step: str):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(lock), name, step],
            cwd=REPO_ROOT,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout.readline().strip() == "locked"

    def release(self) -> None:
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()
        self.proc.wait(timeout=30)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """Run `a` ingested and validated, and `b`, a copy of it, ready to build."""
    tmp = tmp_path_factory.mktemp("concurrency")
    config = write_config(tmp)
    cfg = load_config(config)
    pipeline.ingest(cfg, "a")
    pipeline.validate(cfg, "a")
    shutil.copytree(pipeline.run_dir(cfg, "a") / "staged", pipeline.run_dir(cfg, "b") / "staged")
    state = RunState.load(cfg.runs_dir, "a")
    state.run_id = "b"
    state.save(cfg.runs_dir)
    logs = tmp / "logs"
    logs.mkdir()
    return config, cfg, logs


def test_a_second_build_refuses_or_waits_and_the_warehouse_survives(workspace):
    config, cfg, logs = workspace
    first = start_step(config, logs / "build-a.log", "build", "--run-id", "a")
    try:
        assert wait_for_text(first, logs / "build-a.log", "build: started") is not None
        holder = read_holder(pipeline.lock_path(cfg, "warehouse"))
        assert holder["pid"] == first.pid and holder["run_id"] == "a" and holder["step"] == "build"

        # Told not to wait: refused at once, naming the holder.
        refused_at = time.monotonic()
        refused = subprocess.run(
            [sys.executable, "-m", "transforms", "build", "--run-id", "b", "--lock-timeout", "0"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, "HSCP_CONFIG": str(config), "PYTHONPATH": str(REPO_ROOT)},
            timeout=120,
        )
        refused_seconds = time.monotonic() - refused_at
        assert refused.returncode == 1
        assert "error: LockBusy: the warehouse lock" in refused.stderr
        assert f"held by pid {first.pid}" in refused.stderr
        assert "run 'a', step build, since 20" in refused.stderr
        assert first.poll() is None, "the first build ended before the second was refused"
        assert not RunState.load(cfg.runs_dir, "b").built

        # Left to wait (the default): runs once the first has finished.
        second = run_step(config, logs, "build", "b")
    finally:
        first.wait(timeout=600)
    assert first.returncode == 0, (logs / "build-a.log").read_text()[-3000:]
    assert second.returncode == 0, second.log[-3000:]
    assert f"for the warehouse lock, held by pid {first.pid}" in second.log
    a_times = step_times((logs / "build-a.log").read_text(), "build")
    b_times = step_times(second.log, "build")
    assert b_times["started"] >= a_times["done"]  # one after the other, never together
    assert warehouse_opens(cfg.warehouse) > 0
    marts_a, marts_b = (pipeline.run_dir(cfg, r) / "marts" for r in ("a", "b"))
    assert sorted(p.name for p in marts_a.iterdir()) == sorted(p.name for p in marts_b.iterdir())
    for mart in marts_a.iterdir():
        assert mart.read_bytes() == (marts_b / mart.name).read_bytes()
    waited = re.search(r"got the warehouse lock after ([\d.]+) s", second.log)[1]
    print(
        f"concurrency: refused in {refused_seconds:.1f} s (process start included); the second build "
        f"waited {waited} s and started {(b_times['started'] - a_times['done']).total_seconds():.3f} s "
        "after the first logged done"
    )


def test_publish_and_ingest_wait_for_the_holder_of_their_lock(workspace):
    config, cfg, logs = workspace
    if not RunState.load(cfg.runs_dir, "a").built:  # only when run on its own
        pipeline.build(cfg, "a")
    if not RunState.load(cfg.runs_dir, "a").compared:
        pipeline.compare(cfg, "a")
    env = {"HSCP_LOCKS__TIMEOUT_SECONDS": "1"}

    holder = Holder(pipeline.lock_path(cfg, "release"), "release", "publish")
    try:
        started = time.monotonic()
        refused = run_step(config, logs, "publish", "a", env=env, tag="-refused")
        assert refused.returncode == 1 and time.monotonic() - started >= 1
        assert (
            f"the release lock ({pipeline.lock_path(cfg, 'release')}) is held by pid {holder.proc.pid}" in refused.log
        )
        assert "run 'holder-run', step publish" in refused.log
        assert not (cfg.output_dir / "latest").exists()  # nothing published while refused
    finally:
        holder.kill()
    published = run_step(config, logs, "publish", "a", env=env)
    assert published.returncode == 0, published.log[-3000:]
    assert release_report(cfg.output_dir)["latest"] == RunState.load(cfg.runs_dir, "a").release_id

    holder = Holder(pipeline.lock_path(cfg, "archive"), "archive", "ingest")
    try:
        refused = run_step(config, logs, "ingest", "c", env=env)
        assert refused.returncode == 1 and "the archive lock" in refused.log
        assert f"held by pid {holder.proc.pid}" in refused.log
        # Waiting: the holder lets go after a second, within the two-second timeout.
        waiting = start_step(
            config, logs / "ingest-c-waits.log", "ingest", "--run-id", "c", env={"HSCP_LOCKS__TIMEOUT_SECONDS": "30"}
        )
        assert wait_for_text(waiting, logs / "ingest-c-waits.log", "waiting up to 30 s") is not None
        time.sleep(1)
        holder.release()
        assert waiting.wait(timeout=120) == 0
        assert "got the archive lock after" in (logs / "ingest-c-waits.log").read_text()
    finally:
        holder.kill()

    holder = Holder(pipeline.run_dir(cfg, "a") / ".lock", "run 'a'", "build")
    try:  # two steps of one run never overlap either
        refused = run_step(config, logs, "publish", "a", env=env, tag="-run-lock")
        assert refused.returncode == 1 and "the run 'a' lock" in refused.log
    finally:
        holder.kill()
