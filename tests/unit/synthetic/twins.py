"""The synthetic twins for TEST_YEAR, shared by the A&E, delayed discharge and deaths tests.

They come from tests.support.synthetic_twins, generated once per test process (deaths
are made from the other twins), in a temporary folder removed when it ends.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from tests.support import synthetic_twins
from transforms.config import REPO_ROOT
from transforms.synthetic.common import ReferenceTables


@cache
def reference() -> ReferenceTables:
    return ReferenceTables.from_dir(REPO_ROOT / "reference")


def reference_sets() -> dict[str, set[str]]:
    return {"datazone2011": set(reference().geography["datazone2011"])}


def ae_extract() -> Path:
    return synthetic_twins()["ae_attendances"]


def delayed_extract() -> Path:
    return synthetic_twins()["delayed_discharges"]
