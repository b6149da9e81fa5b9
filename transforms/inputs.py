"""The pipeline's inputs: where each comes from, whether it is restricted, how to read it.

One name per input is used everywhere: the archive folder, the GX suite in
expectations/<name>.json, the staged Parquet file and the dbt source table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from transforms.config import Config
from transforms.sources.files import InputFileError, read_csv
from transforms.synthetic import smr01 as synthetic_smr01

REFERENCE_INPUTS = (
    "geography_dz2011",
    "geography_code_changes",
    "hscp_localities",
    "hscp_population_estimates",
    "datazone_population_2021",
    "simd2020v2_datazone",
)
LOCALITY_LOOKUP = "locality_lookup"
SMR01 = "smr01_episodes"
ALL_INPUTS = REFERENCE_INPUTS + (LOCALITY_LOOKUP, SMR01)
RESTRICTED = {SMR01}


@dataclass(frozen=True)
class InputFile:
    name: str
    path: Path
    restricted: bool


def _reference_file(reference_dir: Path, name: str) -> Path:
    for suffix in (".parquet", ".csv"):
        if (reference_dir / f"{name}{suffix}").is_file():
            return reference_dir / f"{name}{suffix}"
    raise FileNotFoundError(f"reference input {name!r} not found in {reference_dir} "
                            "(run `make snapshot` to derive it)")


def synthetic_smr01_path(cfg: Config) -> Path:
    years = cfg.period.financial_years
    return cfg.data_dir / "landing" / "synthetic" / synthetic_smr01.extract_file_name(cfg.synthetic_seed, years)


def input_files(cfg: Config) -> list[InputFile]:
    """Every input of a run, with the configured (or generated) location of each."""
    files = [InputFile(n, _reference_file(cfg.reference_dir, n), False) for n in REFERENCE_INPUTS]
    files.append(InputFile(LOCALITY_LOOKUP, cfg.locality_lookup, False))
    files.append(InputFile(SMR01, cfg.smr01 or synthetic_smr01_path(cfg), True))
    return files


def read_input(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """Read a CSV (as text, repaired) or a Parquet file (native types) into a frame."""
    path = Path(path)
    if path.suffix == ".parquet":
        try:
            return pd.read_parquet(path), []
        except Exception as exc:  # pyarrow raises several types for a damaged file
            raise InputFileError(f"{path}: not a readable Parquet file ({exc})") from exc
    if path.suffix == ".csv":
        return read_csv(path)
    raise InputFileError(f"{path}: unsupported file type {path.suffix!r}; use .csv or .parquet")
