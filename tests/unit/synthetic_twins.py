"""The A&E and delayed discharge twins for TEST_YEAR, generated once per test process.

The A&E, delayed discharge and deaths test modules all need them (deaths are made
from the other twins), so they are cached here rather than in module fixtures. The
files live in a temporary folder removed when the process ends.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from conftest import REPO, TEST_SEED, TEST_YEAR
from transforms.synthetic import ae_attendances, delayed_discharges
from transforms.synthetic.common import ReferenceTables


@lru_cache(maxsize=None)
def reference() -> ReferenceTables:
    return ReferenceTables.from_dir(REPO / "reference")


@lru_cache(maxsize=None)
def folder() -> Path:
    path = Path(tempfile.mkdtemp(prefix="hscp-synthetic-twins-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def reference_sets() -> dict[str, set[str]]:
    return {"datazone2011": set(reference().geography["datazone2011"])}


@lru_cache(maxsize=None)
def ae_extract() -> Path:
    frame = ae_attendances.generate(reference(), [TEST_YEAR], TEST_SEED)
    return ae_attendances.write_extract(frame, folder() / ae_attendances.extract_file_name(TEST_SEED, [TEST_YEAR]),
                                        seed=TEST_SEED, financial_years=[TEST_YEAR])


@lru_cache(maxsize=None)
def delayed_extract() -> Path:
    frame = delayed_discharges.generate(reference(), [TEST_YEAR], TEST_SEED)
    name = delayed_discharges.extract_file_name(TEST_SEED, [TEST_YEAR])
    return delayed_discharges.write_extract(frame, folder() / name, seed=TEST_SEED, financial_years=[TEST_YEAR])
