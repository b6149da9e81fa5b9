"""The lock is exclusive across processes, names its holder, and dies with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from transforms import locking
from transforms.config import REPO_ROOT, ConfigError, load_config
from transforms.locking import LockBusy, exclusive, read_holder, try_exclusive

HOLDER = """
import sys, time
from pathlib import Path
from transforms.locking import exclusive
with exclusive(Path(sys.argv[1]), name="warehouse", run_id="holder-run", step="build", timeout=0):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
print("released", flush=True)
"""


def start_holder(lock: Path, hold_seconds: float) -> subprocess.Popen:
    """Another process that takes the lock and keeps it for `hold_seconds`."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(lock), str(hold_seconds)],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_a_second_process_is_refused_with_the_holder_named(tmp_path):
    lock = tmp_path / "locks" / "warehouse.lock"
    holder = start_holder(lock, 60)
    try:
        started = time.monotonic()
        with pytest.raises(LockBusy) as busy:
            with exclusive(lock, name="warehouse", run_id="second", step="build", timeout=0.5):
                pytest.fail("both processes held the lock")
        waited = time.monotonic() - started
        message = str(busy.value)
        assert f"pid {holder.pid}" in message
        assert "run 'holder-run'" in message and "step build" in message
        assert "since 20" in message and "timeout 0.5 s" in message
        assert busy.value.holder["pid"] == holder.pid
        assert 0.5 <= waited < 5
    finally:
        holder.kill()
        holder.wait()


def test_a_waiting_process_gets_the_lock_when_the_holder_lets_go(tmp_path):
    lock = tmp_path / "release.lock"
    holder = start_holder(lock, 1.5)
    started = time.monotonic()
    with exclusive(lock, name="release", run_id="waiter", step="publish", timeout=30) as me:
        waited = time.monotonic() - started
        assert holder.poll() is not None or holder.stdout.readline().strip() == "released"
        assert read_holder(lock) == me and me["run_id"] == "waiter" and me["pid"] == os.getpid()
    holder.wait()
    assert 1.0 <= waited < 10
    assert read_holder(lock) is None  # cleared on release


def test_the_lock_is_released_when_the_holder_is_killed(tmp_path):
    lock = tmp_path / "archive.lock"
    holder = start_holder(lock, 600)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    started = time.monotonic()
    with exclusive(lock, name="archive", run_id="next", step="ingest", timeout=5):
        assert time.monotonic() - started < 1
    with try_exclusive(lock) as free:
        assert free


def test_try_exclusive_does_not_wait_and_reports_a_held_lock(tmp_path):
    lock = tmp_path / "run.lock"
    holder = start_holder(lock, 60)
    try:
        started = time.monotonic()
        with try_exclusive(lock) as free:
            assert not free
        assert time.monotonic() - started < 1
    finally:
        holder.kill()
        holder.wait()


def test_the_same_process_can_nest_a_lock_it_holds(tmp_path):
    lock = tmp_path / "run.lock"
    with exclusive(lock, name="run", run_id="r", step="run", timeout=0):
        with exclusive(lock, name="run", run_id="r", step="ingest", timeout=0):
            assert read_holder(lock)["step"] == "run"
        assert read_holder(lock)["step"] == "run"  # still held after the inner block
    assert read_holder(lock) is None


def test_the_timeout_is_a_setting_of_the_configuration():
    assert load_config(environ={}).lock_timeout_seconds == locking.DEFAULT_TIMEOUT_SECONDS
    assert load_config(environ={"HSCP_LOCKS__TIMEOUT_SECONDS": "2.5"}).lock_timeout_seconds == 2.5
    assert load_config(environ={"HSCP_LOCKS__TIMEOUT_SECONDS": "0"}).lock_timeout_seconds == 0
    for bad in ("soon", "-1", ".nan"):
        with pytest.raises(ConfigError, match="locks.timeout_seconds"):
            load_config(environ={"HSCP_LOCKS__TIMEOUT_SECONDS": bad})
