"""What a run shows the person who started it: the step, the work in hand, and a summary.

At a terminal (`hscp run` typed by a person) each step shows what it is working on
and, where the work can be counted (inputs to archive and validate, dbt nodes), a
progress bar drawn with rich. Where nobody watches a terminal (Airflow tasks, CI,
output sent to a file) the same events are plain log lines, a few per step: one per
input, and the dbt build every tenth of the way. Either way the run ends with a
short summary (`summary_lines`): the release, the indicators and rows published,
the cells suppressed, and how long each step took.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger("transforms.progress")

_state: dict = {"interactive": None, "console": None, "step_seconds": {}}


def at_terminal() -> bool:
    """True when a person watches this process's terminal (not Airflow, not CI, not a pipe)."""
    return sys.stderr.isatty() and not os.environ.get("CI") and "AIRFLOW_CTX_DAG_ID" not in os.environ


def configure(*, interactive: bool | None = None) -> bool:
    """Choose bars or plain lines for this process (default: `at_terminal()`); returns the choice.

    Interactive: log records go through rich to the same console as the bars, so the
    two do not overwrite each other. Plain: one timestamped line per record.
    """
    interactive = at_terminal() if interactive is None else interactive
    _state["interactive"] = interactive
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    if interactive:
        from rich.console import Console
        from rich.logging import RichHandler

        _state["console"] = Console(stderr=True)
        root.addHandler(
            RichHandler(console=_state["console"], show_path=False, markup=False, log_time_format="%H:%M:%S")
        )
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(logging.INFO)
    return interactive


def _interactive() -> bool:
    return bool(_state["interactive"])


@contextmanager
def step(name: str) -> Iterator[None]:
    """Time one step; its duration goes into the summary (`step_seconds`)."""
    started = time.monotonic()
    try:
        yield
    finally:
        _state["step_seconds"].pop(name, None)  # a step run again moves to the end
        _state["step_seconds"][name] = time.monotonic() - started


def step_seconds() -> dict[str, float]:
    """Seconds each step of this process took, in the order they ran."""
    return dict(_state["step_seconds"])


def items(sequence: Iterable, *, step_name: str, what: str, label=str) -> Iterator:
    """Yield each item of `sequence`, showing `step_name`: `what` i of n and the item's label."""
    sequence = list(sequence)
    with counter(step_name, what, total=len(sequence), every_item=True) as count:
        for item in sequence:
            count.advance(label(item))
            yield item


class Counter:
    """Counts units of work done: a rich bar at a terminal, else a log line now and then."""

    def __init__(self, step_name: str, what: str, total: int | None, every_item: bool):
        self.step_name, self.what, self.total, self.every_item = step_name, what, total, every_item
        self.done = 0
        self._next_line = 0.0
        self._bar = self._task = None
        if _interactive():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(
                TextColumn("[bold]{task.fields[step]}[/]"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.description}"),
                console=_state["console"],
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("", total=total, step=step_name)

    def set_total(self, total: int) -> None:
        if total != self.total:
            self.total = total
            if self._bar is not None:
                self._bar.update(self._task, total=total)

    def advance(self, label: str = "") -> None:
        """One more unit done (`label` says which); plain mode logs every item or every tenth."""
        self.done += 1
        if self._bar is not None:
            self._bar.update(self._task, advance=1, description=label)
            return
        of = f" of {self.total}" if self.total else ""
        if self.every_item:
            log.info("%s: %s %d%s: %s", self.step_name, self.what, self.done, of, label)
        elif self.total and self.done >= self._next_line:
            log.info("%s: %d%s %s done", self.step_name, self.done, of, self.what)
            self._next_line = self.done + max(1, self.total // 10)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
        elif not self.every_item and self.done:
            log.info("%s: %d %s done", self.step_name, self.done, self.what)


@contextmanager
def counter(step_name: str, what: str, *, total: int | None = None, every_item: bool = False) -> Iterator[Counter]:
    """A `Counter` for the block; a bar (or the closing line) is finished when it ends."""
    count = Counter(step_name, what, total, every_item)
    try:
        yield count
    finally:
        count.close()


def summary_lines(release: Path, seconds: dict[str, float]) -> list[str]:
    """The closing summary of a run: release, indicators, rows, suppressed cells, comparisons, revisions, step times."""
    manifest = json.loads((Path(release) / "manifest.json").read_text())
    rows = sum(o.get("rows", 0) for o in manifest.get("outputs", []))
    control = manifest.get("disclosure_control", {})
    indicators = manifest.get("dataset", {}).get("indicator_ids", [])
    lines = [
        f"release {manifest['release_id']}{' (synthetic data)' if manifest.get('synthetic') else ''}",
        f"{len(indicators)} indicators, {rows:,} rows in {len(manifest.get('outputs', []))} files",
        f"suppressed cells: {control.get('primary', 0):,} primary, {control.get('complementary', 0):,} "
        f"complementary, {control.get('linked', 0):,} linked (threshold {control.get('threshold', '?')})",
    ]
    if manifest.get("inputs_not_supplied"):
        lines.append(f"inputs not supplied: {', '.join(manifest['inputs_not_supplied'])}")
    datasets = manifest.get("comparisons", {}).get("datasets", {})
    if datasets:
        lines.append("comparisons: " + ", ".join(f"{name} {n:,}" for name, n in datasets.items()) + " rows")
    revisions = manifest.get("revisions")
    if revisions is not None:
        if revisions.get("previous_release_id"):
            changes = ", ".join(f"{n:,} {change}" for change, n in revisions.get("changes", {}).items() if n)
            lines.append(f"revisions since {revisions['previous_release_id']}: {changes or 'none'}")
        else:
            lines.append("revisions: first release, nothing earlier to compare with")
    if seconds:
        lines.append("steps: " + ", ".join(f"{name} {_duration(s)}" for name, s in seconds.items()))
    return lines


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{seconds:.1f} s"
