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
NONE = "none"

# Restricted record-level extracts: config key under `inputs` -> input name. Each is a
# path, or "synthetic" to generate a labelled synthetic twin (transforms.synthetic).
EXTRACT_KEYS = {
    "smr01": "smr01_episodes",
    "ae_attendances": "ae_attendances",
    "delayed_discharges": "delayed_discharges",
    "deaths": "deaths",
}
# Published aggregates (PHS open data): config key = input name. A path, or "none".
PUBLIC_KEYS = ("public_admissions_hscp_simd", "public_ae_monthly")


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
    # input name -> path, or None for a synthetic twin (includes smr01_episodes)
    extracts: dict[str, Path | None] = None  # type: ignore[assignment]
    # input name -> path of a published aggregate; absent when switched off ("none")
    public: dict[str, Path] = None  # type: ignore[assignment]
    # inputs that may be missing: the run goes on without them and says so
    optional_inputs: frozenset[str] = frozenset()
    # expected synthetic events as a fraction of the modelled rates (tests run small)
    synthetic_scale: float = 1.0
    # smallest count published (numerators below it are suppressed)
    disclosure_threshold: int = 5
    # seconds a step waits for a lock held by another run before refusing
    lock_timeout_seconds: float = 1800.0
    # Airflow task retries
    task_retries: int = 1
    # input name -> largest file accepted, in bytes; and the longest CSV line
    max_file_bytes: dict[str, int] = None  # type: ignore[assignment]
    max_line_bytes: int = 1 << 20
    # peer families supplied by the user (a CSV, transforms.compare.families); None: computed
    peer_families: Path | None = None

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

    @property
    def synthetic_extracts(self) -> list[str]:
        """The restricted extracts this run generates as synthetic twins."""
        return [name for name, path in (self.extracts or {}).items() if path is None]

    def limits_for(self, name: str):
        """The size and line-length limits (`sources.files.Limits`) of input `name` (`limits` in the config)."""
        from transforms.sources.files import DEFAULT_MAX_FILE_BYTES, Limits  # pandas: not at DAG parse

        return Limits(
            max_file_bytes=(self.max_file_bytes or {}).get(name, DEFAULT_MAX_FILE_BYTES),
            max_line_bytes=self.max_line_bytes,
        )


def _apply_env(raw: dict[str, Any], environ: dict[str, str]) -> dict[str, Any]:
    for key, value in environ.items():
        if not key.startswith(ENV_PREFIX) or "__" not in key or key == "HSCP_CONFIG":
            continue
        section, _, name = key[len(ENV_PREFIX) :].lower().partition("__")
        if section not in raw or not isinstance(raw[section], dict) or name not in raw[section]:
            raise ConfigError(f"environment variable {key} names no setting [{section}] {name}")
        parsed = yaml.safe_load(value) if value else value
        if isinstance(raw[section][name], dict):  # a mapping: the override replaces the keys it names
            if not isinstance(parsed, dict):
                raise ConfigError(
                    f"environment variable {key} must be a YAML mapping, e.g. '{{key: value}}', got {value!r}"
                )
            parsed = {**raw[section][name], **parsed}
        raw[section][name] = parsed
    return raw


def _number(value: Any, where: str, kind: type, minimum: float) -> Any:
    """`value` as an int or float of at least `minimum`, or a ConfigError naming the setting."""
    if isinstance(value, bool) or not isinstance(value, (int, float) if kind is float else int):
        raise ConfigError(f"{where} must be a {'number' if kind is float else 'whole number'}, got {value!r}")
    if not value >= minimum:
        raise ConfigError(f"{where} must be at least {minimum:g}, got {value!r}")
    return kind(value)


def _file_limits(value: Any, where: str) -> dict[str, int]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must map input names to a number of bytes, got {value!r}")
    return {str(name): _number(size, f"{where}.{name}", int, 1) for name, size in value.items()}


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
        locks, limits, comparisons = raw["locks"], raw["limits"], raw["comparisons"]
        smr01 = inputs["smr01"]
        extracts = {
            name: None if inputs.get(key, SYNTHETIC) == SYNTHETIC else _path(inputs[key], REPO_ROOT, f"inputs.{key}")
            for key, name in EXTRACT_KEYS.items()
        }
        public = {
            key: _path(inputs[key], REPO_ROOT, f"inputs.{key}")
            for key in PUBLIC_KEYS
            if inputs.get(key, NONE) not in (NONE, None)
        }
        optional = inputs.get("optional") or []
        if not isinstance(optional, list) or not set(optional) <= set(PUBLIC_KEYS):
            raise ConfigError(f"{path}: inputs.optional must list some of {list(PUBLIC_KEYS)}, got {optional!r}")
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
            extracts=extracts,
            public=public,
            optional_inputs=frozenset(optional),
            synthetic_scale=_number(syn["scale"], "synthetic.scale", float, 0.0001),
            disclosure_threshold=_number(raw["disclosure"]["threshold"], "disclosure.threshold", int, 1),
            lock_timeout_seconds=_number(locks["timeout_seconds"], "locks.timeout_seconds", float, 0),
            task_retries=_number(raw["airflow"]["task_retries"], "airflow.task_retries", int, 0),
            max_file_bytes=_file_limits(limits["max_file_bytes"], "limits.max_file_bytes"),
            max_line_bytes=_number(limits["max_line_bytes"], "limits.max_line_bytes", int, 1),
            peer_families=None
            if comparisons["peer_families"] in (NONE, None)
            else _path(comparisons["peer_families"], REPO_ROOT, "comparisons.peer_families"),
        )
    except KeyError as exc:
        raise ConfigError(f"{path}: missing setting {exc}") from exc
    if cfg.period.first_financial_year > cfg.period.last_financial_year:
        raise ConfigError(f"{path}: period.first_financial_year is after last_financial_year")
    return cfg
