"""One typed configuration object: the YAML file plus environment overrides.

Operators point the pipeline at their own extracts and output folder by editing
config/pipeline.yml or by setting HSCP_<SECTION>__<KEY>, never by editing code.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = REPO_ROOT / "config" / "pipeline.yml"
ENV_PREFIX = "HSCP_"
SYNTHETIC = "synthetic"


class ConfigError(ValueError):
    """The configuration file or an override is unusable."""


@dataclass(frozen=True)
class Period:
    first_financial_year: int
    last_financial_year: int

    @property
    def financial_years(self) -> list[int]:
        return list(range(self.first_financial_year, self.last_financial_year + 1))


@dataclass(frozen=True)
class CkanConfig:
    base_url: str
    timeout_seconds: float
    retries: int


@dataclass(frozen=True)
class Config:
    source_file: Path
    reference_dir: Path
    data_dir: Path
    output_dir: Path
    locality_lookup: Path
    smr01: Path | None  # None means: generate a synthetic extract
    period: Period
    synthetic_seed: int
    ckan: CkanConfig

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def runs_dir(self) -> Path:
        return self.data_dir / "runs"

    @property
    def warehouse(self) -> Path:
        return self.data_dir / "warehouse.duckdb"

    @property
    def releases_dir(self) -> Path:
        return self.output_dir / "releases"

    @property
    def uses_synthetic_smr01(self) -> bool:
        return self.smr01 is None


def _apply_env(raw: dict[str, Any], environ: dict[str, str]) -> dict[str, Any]:
    for key, value in environ.items():
        if not key.startswith(ENV_PREFIX) or "__" not in key or key == "HSCP_CONFIG":
            continue
        section, _, name = key[len(ENV_PREFIX):].lower().partition("__")
        if section not in raw or not isinstance(raw[section], dict) or name not in raw[section]:
            raise ConfigError(f"environment variable {key} names no setting [{section}] {name}")
        raw[section][name] = yaml.safe_load(value) if value else value
    return raw


def _path(value: Any, root: Path, where: str) -> Path:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where} must be a non-empty path, got {value!r}")
    p = Path(os.path.expanduser(value))
    return p if p.is_absolute() else (root / p)


def load_config(path: Path | None = None, environ: dict[str, str] | None = None) -> Config:
    """Read the config file (HSCP_CONFIG or config/pipeline.yml) and apply overrides."""
    environ = dict(os.environ if environ is None else environ)
    path = Path(path or environ.get("HSCP_CONFIG") or DEFAULT_CONFIG)
    if not path.is_file():
        raise ConfigError(f"configuration file not found: {path}")
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    raw = _apply_env(raw, environ)
    try:
        paths, inputs, ckan = raw["paths"], raw["inputs"], raw["ckan"]
        period, syn = raw["period"], raw["synthetic"]
        smr01 = inputs["smr01"]
        cfg = Config(
            source_file=path,
            reference_dir=_path(paths["reference_dir"], REPO_ROOT, "paths.reference_dir"),
            data_dir=_path(paths["data_dir"], REPO_ROOT, "paths.data_dir"),
            output_dir=_path(paths["output_dir"], REPO_ROOT, "paths.output_dir"),
            locality_lookup=_path(inputs["locality_lookup"], REPO_ROOT, "inputs.locality_lookup"),
            smr01=None if smr01 == SYNTHETIC else _path(smr01, REPO_ROOT, "inputs.smr01"),
            period=Period(
                first_financial_year=int(period["first_financial_year"]),
                last_financial_year=int(period["last_financial_year"]),
            ),
            synthetic_seed=int(syn["seed"]),
            ckan=CkanConfig(
                base_url=str(ckan["base_url"]),
                timeout_seconds=float(ckan["timeout_seconds"]),
                retries=int(ckan["retries"]),
            ),
        )
    except KeyError as exc:
        raise ConfigError(f"{path}: missing setting {exc}") from exc
    if cfg.period.first_financial_year > cfg.period.last_financial_year:
        raise ConfigError(f"{path}: period.first_financial_year is after last_financial_year")
    return cfg
