"""The pipeline's inputs: where each comes from, whether it is restricted, how to read it.

One name per input is used everywhere: the archive folder, the GX suite in
expectations/<name>.json, the staged Parquet file and the dbt source table.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from transforms.config import Config
from transforms.sources.files import (  # noqa: F401  (InputFileError: re-exported)
    DEFAULT_MAX_LINE_BYTES,
    GiB,
    InputFileError,
    Limits,
    MiB,
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

# The largest file each input may be, in bytes: generous for the real thing, small
# enough that a wrong or hostile file is refused before it is read. For scale: the
# committed reference files are 0.7 KB to 0.8 MB, the demo lookup 0.34 MB, and the
# four-year synthetic SMR01 extract (3.3 million episodes) 273 MB written as CSV.
MAX_FILE_BYTES = {
    **{name: 256 * MiB for name in REFERENCE_INPUTS},
    LOCALITY_LOOKUP: 64 * MiB,
    SMR01: 2 * GiB,
    AE: 2 * GiB,
    DELAYED: 512 * MiB,
    DEATHS: 256 * MiB,
    PUBLIC_ADMISSIONS: 256 * MiB,
    PUBLIC_AE: 256 * MiB,
}
# Overrides, in bytes: HSCP_MAX_FILE_BYTES_<INPUT NAME IN CAPITALS> for one input,
# HSCP_MAX_FILE_BYTES for all of them, HSCP_MAX_LINE_BYTES for the longest line.
# (Single underscores: they are not HSCP_<SECTION>__<KEY> settings of the config file.)
ENV_MAX_FILE_BYTES = "HSCP_MAX_FILE_BYTES"
ENV_MAX_LINE_BYTES = "HSCP_MAX_LINE_BYTES"

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
    raise FileNotFoundError(f"reference input {name!r} not found in {reference_dir} "
                            "(run `make snapshot` to derive it)")


def synthetic_folder(cfg: Config) -> Path:
    return cfg.data_dir / "landing" / "synthetic"


def synthetic_path(cfg: Config, name: str) -> Path:
    """Where the synthetic twin of restricted extract `name` is generated for this run."""
    return synthetic_folder(cfg) / synthetic_extracts.file_name(name, cfg.synthetic_seed,
                                                                cfg.period.financial_years)


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
    return [name for name in PUBLIC_AGGREGATES
            if name in cfg.optional_inputs and cfg.public.get(name) is not None
            and not cfg.public[name].exists()]


def _env_bytes(environ: dict[str, str], key: str) -> int | None:
    value = environ.get(key)
    if value is None or value.strip() == "":
        return None
    try:
        number = int(value.strip().replace("_", ""))
    except ValueError:
        number = 0
    if number < 1:
        raise ValueError(f"environment variable {key}={value!r} must be a positive whole number of bytes")
    return number


def limits_for(source: str | None, environ: dict[str, str] | None = None) -> Limits:
    """The size and line-length limits for reading an input (see MAX_FILE_BYTES)."""
    environ = os.environ if environ is None else environ
    default = MAX_FILE_BYTES.get(source or "", Limits().max_file_bytes)
    per_source = _env_bytes(environ, f"{ENV_MAX_FILE_BYTES}_{source.upper()}") if source else None
    max_file = per_source or _env_bytes(environ, ENV_MAX_FILE_BYTES) or default
    max_line = _env_bytes(environ, ENV_MAX_LINE_BYTES) or DEFAULT_MAX_LINE_BYTES
    return Limits(max_file_bytes=max_file, max_line_bytes=max_line)


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
            raise refuse(path, "parquet_readable", "the file must be a readable Parquet file",
                         f"not a readable Parquet file ({exc})") from exc
    if path.suffix == ".csv":
        return read_csv(path, limits=limits)
    raise refuse(path, "file_type_supported", "the file must be .csv or .parquet",
                 f"unsupported file type {path.suffix!r}; use .csv or .parquet")
