"""Run pipeline steps as real processes, kill them, and check what they leave.

Shared by the kill-recovery and concurrency tests. A step is started as
`python -m transforms <step> --run-id <id>` with the test's configuration; its log
goes to a file, and `<step>: started` in that log (written once the step holds its
locks) is the moment from which a kill delay is counted.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from transforms.archive import MANIFEST, ArchiveEntry, file_sha256
from transforms.config import REPO_ROOT
from transforms.publish.release import is_complete
from transforms.runstate import RunState


@dataclass
class Outcome:
    step: str
    run_id: str
    returncode: int
    work_seconds: float | None  # from the `started` to the `done` log line (to the kill if killed)
    log: str

    @property
    def killed(self) -> bool:
        return self.returncode == -signal.SIGKILL


ASSEMBLING = "assembling the release in"
LOG_TIME = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) .*?(assembling the release in|"
    r"latest points at it)",
    re.M,
)


def assembly_seconds(log: str) -> float:
    """From `assembling the release in` to `latest points at it`, as logged by publish."""
    times = {m[2]: datetime.strptime(m[1], "%Y-%m-%d %H:%M:%S,%f") for m in LOG_TIME.finditer(log)}
    return (times["latest points at it"] - times[ASSEMBLING]).total_seconds()


STEP_LINE = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) INFO transforms\.pipeline: "
    r"(\w+): (started|done) \(run ",
    re.M,
)


def step_times(log: str, step: str) -> dict[str, datetime]:
    """When the step logged `started` and `done` (the last of each)."""
    return {m[3]: datetime.strptime(m[1], "%Y-%m-%d %H:%M:%S,%f") for m in STEP_LINE.finditer(log) if m[2] == step}


def start_step(config: Path, log_file: Path, *args: str, env: dict | None = None) -> subprocess.Popen:
    environ = {**os.environ, "HSCP_CONFIG": str(config), "PYTHONPATH": str(REPO_ROOT), **(env or {})}
    with open(log_file, "wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "transforms", *args],
            cwd=REPO_ROOT,
            env=environ,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_for_text(proc: subprocess.Popen, log_file: Path, text: str, timeout: float = 300) -> float | None:
    """Poll the log until `text` appears; the monotonic time it was seen, or None if the process ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log_file.read_text(errors="replace"):
            return time.monotonic()
        if proc.poll() is not None:
            return time.monotonic() if text in log_file.read_text(errors="replace") else None
        time.sleep(0.001)
    raise TimeoutError(f"{text!r} not in {log_file} after {timeout} s")


def run_step(
    config: Path,
    log_dir: Path,
    step: str,
    run_id: str,
    *,
    kill_after: float | None = None,
    env: dict | None = None,
    tag: str = "",
    marker: str | None = None,
) -> Outcome:
    """Run one step; with `kill_after`, SIGKILL it that many seconds after `marker`
    (default `<step>: started`) appeared in its log."""
    log_file = log_dir / f"{step}-{run_id}{tag}.log"
    args = ("run", "--run-id", run_id) if step == "run" else (step, "--run-id", run_id)
    proc = start_step(config, log_file, *args, env=env)
    marker = marker or ("ingest: started" if step == "run" else f"{step}: started")
    started = wait_for_text(proc, log_file, marker)
    if kill_after is not None and started is not None:
        time.sleep(max(kill_after - (time.monotonic() - started), 0))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=600)
    log = log_file.read_text(errors="replace")
    times = step_times(log, "ingest" if step == "run" else step)
    if proc.returncode == 0 and {"started", "done"} <= set(times) and step != "run":
        work = (times["done"] - times["started"]).total_seconds()
    else:
        work = time.monotonic() - started if started is not None else None
    return Outcome(step, run_id, proc.returncode, work, log)


def archive_report(raw_dir: Path) -> dict:
    """Check every vintage is whole; count unfinished landings (hidden, ignored by readers)."""
    vintages, landings = 0, 0
    for source_dir in sorted(p for p in raw_dir.iterdir() if p.is_dir()) if raw_dir.is_dir() else []:
        for entry in sorted(source_dir.iterdir()):
            if entry.name.startswith(".landing-"):
                landings += 1
                continue
            assert not entry.name.startswith("."), f"unexpected hidden entry {entry}"
            manifest = json.loads((entry / MANIFEST).read_text())
            archived = ArchiveEntry.read(entry)
            assert archived.vintage == entry.name and manifest["sha256"] == archived.sha256
            assert file_sha256(Path(archived.path)) == archived.sha256, f"half-written vintage {entry}"
            assert Path(archived.path).stat().st_size == archived.size_bytes
            vintages += 1
    return {"vintages": vintages, "landings": landings}


def release_report(output_dir: Path) -> dict:
    """Check `latest`, LATEST and every release folder; count unfinished ones."""
    releases_dir = output_dir / "releases"
    latest = output_dir / "latest"
    report = {"latest": None, "tmp_releases": 0, "releases": []}
    if latest.is_symlink() or latest.exists():
        target = latest.resolve()
        assert target.parent == releases_dir.resolve(), f"latest points outside releases: {target}"
        assert not target.name.startswith("."), f"latest points at an unfinished release {target}"
        assert is_complete(target), f"latest points at an incomplete release {target}"
        report["latest"] = target.name
    if (output_dir / "LATEST").exists():
        named = (output_dir / "LATEST").read_text().strip()
        assert not named.startswith(".") and is_complete(releases_dir / named), named
    if releases_dir.is_dir():
        for entry in sorted(releases_dir.iterdir()):
            if entry.name.startswith(".tmp-"):
                report["tmp_releases"] += 1
                continue
            assert is_complete(entry), f"incomplete release folder {entry}"
            report["releases"].append(entry.name)
    return report


def warehouse_opens(warehouse: Path) -> int | None:
    """Open the DuckDB file read-only and count its tables (None if there is none yet)."""
    if not warehouse.exists():
        return None
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("select count(*) from duckdb_tables()").fetchone()[0]
    finally:
        con.close()


def run_report(runs_dir: Path, run_id: str) -> dict:
    """The run's state is readable, and what it claims is there."""
    state = RunState.load(runs_dir, run_id)
    folder = RunState.folder(runs_dir, run_id)
    if state.validated:
        for name in state.inputs:  # the run's inputs (optional ones may be absent)
            pq.ParquetFile(folder / "staged" / f"{name}.parquet")
    if state.built:
        for mart in (folder / "marts").glob("*.parquet"):
            pq.ParquetFile(mart).metadata  # noqa: B018  (a partial Parquet file raises)
    return {
        "validated": state.validated,
        "built": state.built,
        "staged_tmp": (folder / "staged.tmp").exists(),
        "wal": (runs_dir.parent / "warehouse.duckdb.wal").exists(),
    }
