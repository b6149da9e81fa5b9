"""What one pipeline run has done so far, shared by its steps through a JSON file.

Airflow may run each step in a separate process, so steps hand over through
data/runs/<run_id>/run.json rather than through memory or XCom payloads.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from transforms.archive import ArchiveEntry

RUN_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.:+-]{1,120}$")


@dataclass
class RunState:
    run_id: str
    inputs: dict[str, ArchiveEntry] = field(default_factory=dict)
    read_warnings: dict[str, list[str]] = field(default_factory=dict)
    not_supplied: list[str] = field(default_factory=list)  # optional inputs absent from this run
    validated: bool = False
    built: bool = False
    compared: bool = False  # disclosure control applied and the comparison models built
    release_id: str | None = None

    @staticmethod
    def folder(runs_dir: Path, run_id: str) -> Path:
        if not RUN_ID_PATTERN.match(run_id):
            raise ValueError(f"unsafe run id {run_id!r}")
        return runs_dir / run_id.replace(":", "-").replace("+", "-")

    @classmethod
    def load(cls, runs_dir: Path, run_id: str) -> RunState:
        path = cls.folder(runs_dir, run_id) / "run.json"
        if not path.is_file():
            raise FileNotFoundError(f"run {run_id!r} has not been ingested yet ({path} missing)")
        raw = json.loads(path.read_text())
        raw["inputs"] = {k: ArchiveEntry(**v) for k, v in raw["inputs"].items()}
        return cls(**raw)

    def save(self, runs_dir: Path) -> Path:
        folder = self.folder(runs_dir, self.run_id)
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / "run.json.tmp"
        data = asdict(self)
        tmp.write_text(json.dumps(data, indent=2) + "\n")
        os.replace(tmp, folder / "run.json")
        return folder / "run.json"

    @property
    def synthetic(self) -> bool:
        return any(e.synthetic for e in self.inputs.values())
