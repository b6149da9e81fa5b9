"""The pipeline's inputs: where each comes from, whether it is restricted, how to read it.

One name per input is used everywhere: the archive folder, the GX suite in
expectations/<name>.json, the staged Parquet file and the dbt source table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from transforms.config import Config
from transforms.sources.files import (  # noqa: F401  (InputFileError: re-exported)
    InputFileError,
    Limits,
    check_size,
    read_csv,
    refuse,
)
from transforms.synthetic import extracts as synthetic_extracts

REFERENCE_INPUTS = (
    "geography_dz2011",
    "geography_code_changes",
    "hscp_localities",
    "hscp_population_estimates",
    "datazone_population_2021",
    "simd2020v2_datazone",
    "urban_rural_dz2011",
    "ae_sites",
)
LOCALITY_LOOKUP = "locality_lookup"
SMR01 = "smr01_episodes"
AE = "ae_attendances"
DELAYED = "delayed_discharges"
DEATHS = "deaths"
RESTRICTED_EXTRACTS = (SMR01, AE, DELAYED, DEATHS)
PUBLIC_ADMISSIONS = "public_admissions_hscp_simd"
PUBLIC_AE = "public_ae_monthly"
PUBLIC_AGGREGATES = (PUBLIC_ADMISSIONS, PUBLIC_AE)
# In validation order: geography first, because later suites check codes against it.
ALL_INPUTS = REFERENCE_INPUTS + (LOCALITY_LOOKUP,) + RESTRICTED_EXTRACTS + PUBLIC_AGGREGATES
RESTRICTED = set(RESTRICTED_EXTRACTS)

# Known other spellings of column names, per input, are in each suite's
# `meta.column_aliases` (expectations/<name>.json): transforms.validate renames them
# and records a warning.


@dataclass(frozen=True)
class InputFile:
    name: str
    path: Path
    restricted: bool


def _reference_file(reference_dir: Path, name: str) -> Path:
    for suffix in (".parquet", ".csv"):
        if (reference_dir / f"{name}{suffix}").is_file():
            return reference_dir / f"{name}{suffix}"
    raise FileNotFoundError(f"reference input {name!r} not found in {reference_dir} (run `make snapshot` to derive it)")


def synthetic_folder(cfg: Config) -> Path:
    return cfg.data_dir / "landing" / "synthetic"


def synthetic_path(cfg: Config, name: str) -> Path:
    """Where the synthetic twin of restricted extract `name` is generated for this run."""
    return synthetic_folder(cfg) / synthetic_extracts.file_name(
        name, cfg.synthetic_seed, cfg.period.financial_years, cfg.synthetic_scale
    )


def input_files(cfg: Config) -> list[InputFile]:
    """Every input of a run, with the configured (or generated) location of each.

    An optional input (`inputs.optional`) whose file is absent is left out; see
    `missing_optional_inputs`.
    """
    files = [InputFile(n, _reference_file(cfg.reference_dir, n), False) for n in REFERENCE_INPUTS]
    files.append(InputFile(LOCALITY_LOOKUP, cfg.locality_lookup, False))
    for name in RESTRICTED_EXTRACTS:
        files.append(InputFile(name, cfg.extracts.get(name) or synthetic_path(cfg, name), True))
    for name in PUBLIC_AGGREGATES:
        path = cfg.public.get(name)
        if path is not None and (path.exists() or name not in cfg.optional_inputs):
            files.append(InputFile(name, path, False))
    return files


def missing_optional_inputs(cfg: Config) -> list[str]:
    """Optional inputs switched on whose file is absent: the run goes on without them."""
    return [
        name
        for name in PUBLIC_AGGREGATES
        if name in cfg.optional_inputs and cfg.public.get(name) is not None and not cfg.public[name].exists()
    ]


def read_input(path: Path, limits: Limits | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Read a CSV (as text, repaired) or a Parquet file (native types) into a frame.

    Files over `limits.max_file_bytes` are refused before they are read.
    """
    path = Path(path)
    limits = limits or Limits()
    if path.suffix == ".parquet":
        check_size(path, limits)
        try:
            return pd.read_parquet(path), []
        except Exception as exc:  # pyarrow raises several types for a damaged file
            raise refuse(
                path,
                "parquet_readable",
                "the file must be a readable Parquet file",
                f"not a readable Parquet file ({exc})",
            ) from exc
    if path.suffix == ".csv":
        return read_csv(path, limits=limits)
    raise refuse(
        path,
        "file_type_supported",
        "the file must be .csv or .parquet",
        f"unsupported file type {path.suffix!r}; use .csv or .parquet",
    )
