"""Constants and helpers the tests share: the test period and seed, the synthetic twins, a small configuration.

Imported as `from tests.support import ...` by conftest.py and by the test modules.
It imports nothing heavy at module level (conftest.py sets Airflow's environment
after importing it).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

import yaml

from transforms.config import REPO_ROOT

SHARED_DATA = REPO_ROOT.parent / "shared" / "data"

# The smallest period that still exercises everything: one financial year.
TEST_YEAR = 2022
TEST_SEED = 12345
# `synthetic.scale` of the runs that test how the pipeline behaves (kills, locks,
# idempotency, failures, Airflow): a twentieth of the modelled events keeps every
# input, model and test in play at a fraction of the cost. The indicator tests,
# which check figures against the extracts and the published rates, use the full
# scale (`indicator_run`, `synthetic_twins()`).
SMALL_SCALE = 0.05

PUBLISHED_AGGREGATES = {
    "public_admissions_hscp_simd": SHARED_DATA / "hospital_admissions_hscp_simd_20230706.csv",
    "public_ae_monthly": SHARED_DATA / "monthly_ae_activity_202404.csv",
}
INDICATOR_RUN_ID = "indicator-tests"


@cache
def synthetic_twins(scale: float = 1.0) -> dict[str, Path]:
    """Every synthetic extract for TEST_YEAR, TEST_SEED and `scale`, generated once per test process.

    Pipeline tests point their configuration at these files instead of generating the
    twins again in each workspace (about 20 s a time at full scale).
    """
    from transforms.synthetic import extracts

    folder = Path(tempfile.mkdtemp(prefix="hscp-synthetic-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return extracts.ensure(list(extracts.ORDER), folder, REPO_ROOT / "reference", [TEST_YEAR], TEST_SEED, scale)


def write_config(tmp: Path, scale: float = SMALL_SCALE, **inputs) -> Path:
    """A pipeline config whose working and output folders live under `tmp`.

    Restricted extracts not given are the shared synthetic twins of `scale`
    (`synthetic_twins`); the published aggregates are off unless given.
    """
    raw = yaml.safe_load((REPO_ROOT / "config" / "pipeline.yml").read_text())
    raw["paths"].update(
        {
            "reference_dir": str(REPO_ROOT / "reference"),
            "data_dir": str(tmp / "data"),
            "output_dir": str(tmp / "output"),
        }
    )
    raw["period"] = {"first_financial_year": TEST_YEAR, "last_financial_year": TEST_YEAR}
    raw["synthetic"].update({"seed": TEST_SEED, "scale": scale})
    raw["inputs"]["locality_lookup"] = str(REPO_ROOT / "reference" / "locality_lookup_demo.csv")
    twins = synthetic_twins(scale)
    for key, name in (
        ("smr01", "smr01_episodes"),
        ("ae_attendances", "ae_attendances"),
        ("delayed_discharges", "delayed_discharges"),
        ("deaths", "deaths"),
    ):
        raw["inputs"][key] = str(twins[name])
    raw["inputs"].update({"public_admissions_hscp_simd": "none", "public_ae_monthly": "none"})
    raw["inputs"].update({k: str(v) for k, v in inputs.items()})
    path = tmp / "pipeline.yml"
    path.write_text(yaml.safe_dump(raw))
    return path
