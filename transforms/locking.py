"""Exclusive, crash-safe locks around the steps that write shared state.

A lock is `fcntl.flock` on a small file. The kernel releases it when the process
that holds it exits for any reason (SIGKILL, OOM kill, power loss of the worker), so
a crashed run never leaves a lock that has to be removed by hand. The holder writes
who it is into the file (pid, host, run id, step, start time) so that a run that is
refused can say who has the lock.

Locks used by the pipeline (see transforms.pipeline):

* ``<data_dir>/locks/archive.lock``: ingest (the raw archive, the synthetic landing);
* ``<data_dir>/locks/warehouse.lock``: build (the DuckDB warehouse, one writer);
* ``<data_dir>/locks/release.lock``: publish (``output/releases/``, ``latest``);
* ``<data_dir>/runs/<run_id>/.lock``: every step of that run, so two steps of one
  run never overlap.

A step takes its run's lock first and then at most one shared lock, always in that
order, so two runs cannot deadlock. A waiting process polls until the holder lets
go or the timeout passes (``locks.timeout_seconds`` in the configuration, default
1800 s; 0 refuses at once), then raises `LockBusy` naming the holder.

The lock file is never deleted: deleting it while another process waits on it
would let two processes hold "the" lock on two different files. flock needs a
local file system (or NFSv4, which emulates it); see docs/operations.md.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 1800.0
POLL_SECONDS = 0.2

# Locks this process holds, by path: (file descriptor, depth, thread). A second
# acquisition from the same thread nests instead of deadlocking on its own lock
# (flock conflicts between two open() of one file even within one process).
_held: dict[str, tuple[int, int, int]] = {}
_held_guard = threading.Lock()


class LockBusy(RuntimeError):
    """Another process holds the lock and did not let go within the timeout."""

    def __init__(self, message: str, holder: dict | None):
        super().__init__(message)
        self.holder = holder


def read_holder(path: Path) -> dict | None:
    """What the current (or last) holder wrote into the lock file, if readable."""
    try:
        text = Path(path).read_text()
    except OSError:
        return None
    try:
        holder = json.loads(text)
    except ValueError:
        return None
    return holder if isinstance(holder, dict) else None


def describe_holder(holder: dict | None) -> str:
    if not holder:
        return "another process (it has not recorded who it is yet)"
    alive = ""
    if holder.get("host") == socket.gethostname() and isinstance(holder.get("pid"), int):
        try:
            os.kill(holder["pid"], 0)
        except ProcessLookupError:
            alive = ", no longer running: the lock is being taken over"
        except PermissionError:
            pass
    return (
        f"pid {holder.get('pid')} on {holder.get('host')} (run {holder.get('run_id')!r}, "
        f"step {holder.get('step')}, since {holder.get('started_at')}{alive})"
    )


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return False
        raise


def _write_holder(fd: int, info: dict) -> None:
    data = (json.dumps(info, sort_keys=True) + "\n").encode()
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)


@contextlib.contextmanager
def exclusive(
    path: Path,
    *,
    name: str,
    run_id: str | None = None,
    step: str | None = None,
    timeout: float | None = None,
    poll: float = POLL_SECONDS,
) -> Iterator[dict]:
    """Hold the lock at `path` for the duration of the block.

    Waits up to `timeout` seconds (default `DEFAULT_TIMEOUT_SECONDS`), then raises
    `LockBusy` naming the holder. `name` says what the lock protects, for messages.
    Yields the holder record written into the lock file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = str(path.parent.resolve() / path.name)
    me = threading.get_ident()
    with _held_guard:
        held = _held.get(key)
        if held is not None and held[2] == me:  # nested in this thread: already ours
            _held[key] = (held[0], held[1] + 1, me)
            nested = True
        else:
            nested = False
    if nested:
        try:
            yield read_holder(path) or {}
        finally:
            with _held_guard:
                fd, depth, owner = _held[key]
                _held[key] = (fd, depth - 1, owner)
        return

    timeout = DEFAULT_TIMEOUT_SECONDS if timeout is None else float(timeout)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        started = time.monotonic()
        announced = False
        while not _try_flock(fd):
            waited = time.monotonic() - started
            holder = read_holder(path)
            if waited >= timeout:
                raise LockBusy(
                    f"the {name} lock ({path}) is held by {describe_holder(holder)}; "
                    f"gave up after waiting {waited:.1f} s (timeout {timeout:g} s, set with "
                    f"locks.timeout_seconds or --lock-timeout). Let the other run finish, then run this "
                    "step again.",
                    holder,
                )
            if not announced:
                log.info("waiting up to %g s for the %s lock, held by %s", timeout, name, describe_holder(holder))
                announced = True
            time.sleep(min(poll, max(timeout - waited, 0.001)))
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "run_id": run_id,
            "step": step,
            "lock": name,
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        _write_holder(fd, info)
        if announced:
            log.info("got the %s lock after %.1f s", name, time.monotonic() - started)
        with _held_guard:
            _held[key] = (fd, 1, me)
        try:
            yield info
        finally:
            with _held_guard:
                _held.pop(key, None)
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)  # no stale holder once it is free
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextlib.contextmanager
def try_exclusive(path: Path) -> Iterator[bool]:
    """Take the lock only if it is free at once; yields whether it was taken.

    For housekeeping: clean up after a run only when no process holds its lock.
    """
    path = Path(path)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        got = _try_flock(fd)
        try:
            yield got
        finally:
            if got:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
