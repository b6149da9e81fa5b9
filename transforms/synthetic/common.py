"""What the synthetic twins share: reference tables, populations, pseudonyms, writing.

Every twin draws people from the same cells (2011 data zone x sex x single year of
age, the mid-2021 data-zone shares of each year's HSCP estimate) and names them the
same way, so one synthetic person can appear in several extracts:

* a person is the key `datazone|sex|birth year|index`, where the birth year is the
  financial year minus the age in that year and the index counts people of that cell
  from 0 (`person_keys`);
* `patient_id` is `P` and a 64-bit keyed hash of that key, in hex (`pseudonym`); the
  key is derived from the seed, so ids mean nothing outside one synthetic release.

The twins' Parquet files carry `synthetic=true`, a notice, the generator and its
version, and the seed in their file metadata (`write_parquet`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

# Relative rate by SIMD 2020v2 Scotland quintile (1 = most deprived) for emergency
# hospital use; invented, shaped after the published gradient.
SIMD_MULTIPLIER = {1: 1.40, 2: 1.18, 3: 1.00, 4: 0.88, 5: 0.78}


@dataclass(frozen=True)
class ReferenceTables:
    geography: pd.DataFrame  # datazone2011, hscp2019, hb2019, ...
    datazone_population: pd.DataFrame  # datazone2011, sex, age, population (mid-2021)
    hscp_population: pd.DataFrame  # year, hscp2019, sex, age, population
    simd: pd.DataFrame  # datazone2011, simd2020v2_sc_quintile
    ae_sites: pd.DataFrame | None = None  # reference/ae_sites.csv (transforms.reference.ae_sites)

    @classmethod
    def from_dir(cls, reference_dir: Path) -> ReferenceTables:
        r = Path(reference_dir)
        sites = None
        if (r / "ae_sites.csv").is_file():
            from transforms.reference import ae_sites

            sites = ae_sites.load(r)
        return cls(
            pd.read_parquet(r / "geography_dz2011.parquet"),
            pd.read_parquet(r / "datazone_population_2021.parquet"),
            pd.read_parquet(r / "hscp_population_estimates.parquet"),
            pd.read_parquet(r / "simd2020v2_datazone.parquet"),
            sites,
        )


def expected_population(ref: ReferenceTables, year: int) -> pd.DataFrame:
    """Fractional data-zone population for a year: 2021 shares of the HSCP estimate."""
    dz = ref.datazone_population.merge(ref.geography[["datazone2011", "hscp2019"]], on="datazone2011")
    base = dz.groupby(["hscp2019", "sex", "age"])["population"].transform("sum")
    est = ref.hscp_population[ref.hscp_population["year"] == year]
    if est.empty:
        raise ValueError(f"no HSCP population estimate for mid-{year}")
    dz = dz.merge(est[["hscp2019", "sex", "age", "population"]], on=["hscp2019", "sex", "age"], suffixes=("", "_hscp"))
    share = np.where(base > 0, dz["population"] / base.where(base > 0, 1), 0.0)
    return dz.assign(population=share * dz["population_hscp"]).drop(columns="population_hscp")


_CELLS: dict[tuple[int, int], tuple[ReferenceTables, pd.DataFrame]] = {}


def population_cells(ref: ReferenceTables, year: int) -> pd.DataFrame:
    """`expected_population` with the SIMD quintile and health board of each data zone.

    The twins of one release share these cells, so the last few are kept (keyed by the
    reference tables object and the year). Callers must not modify the frame.
    """
    hit = _CELLS.get((id(ref), year))
    if hit is not None and hit[0] is ref:
        return hit[1]
    pop = expected_population(ref, year)
    pop = pop.merge(ref.simd[["datazone2011", "simd2020v2_sc_quintile"]], on="datazone2011")
    pop = pop.merge(ref.geography[["datazone2011", "hb2019"]], on="datazone2011")
    if len(_CELLS) >= 4:
        _CELLS.pop(next(iter(_CELLS)))
    _CELLS[(id(ref), year)] = (ref, pop)
    return pop


def choice(rng: np.random.Generator, weights: dict[str, float], n: int) -> np.ndarray:
    keys = np.array(list(weights))
    p = np.array(list(weights.values()), dtype=float)
    return keys[rng.choice(len(keys), size=n, p=p / p.sum())]


def hex_ids(prefix: str, values: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """`prefix` and each 64-bit value as 16 lower-case hex digits, as a pandas `str` array."""
    x = np.ascontiguousarray(np.asarray(values, dtype=np.uint64))
    n, p = len(x), prefix.encode("ascii")
    width = len(p) + 16
    digits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    octets = x.astype(">u8").view(np.uint8).reshape(n, 8)
    buf = np.empty((n, width), dtype=np.uint8)
    buf[:, : len(p)] = np.frombuffer(p, dtype=np.uint8)
    buf[:, len(p) :: 2] = digits[octets >> 4]
    buf[:, len(p) + 1 :: 2] = digits[octets & 15]
    offsets = np.arange(0, width * (n + 1), width, dtype=np.int32)
    arr = pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(buf))
    return pd.array(arr, dtype="str")


def pseudonym(seed: int, values, prefix: str) -> pd.api.extensions.ExtensionArray:
    """A keyed 64-bit hash of each text value, as hex: stable for a seed, meaningless without it."""
    key = hashlib.sha256(str(seed).encode()).hexdigest()[:16]
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        values = values.to_numpy(zero_copy_only=False)
    hashed = pd.util.hash_array(np.asarray(values, dtype=object), hash_key=key, categorize=False)
    return hex_ids(prefix, hashed)


def _text(values) -> pa.Array:
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        arr = values
    elif isinstance(values, pd.Series):
        arr = pa.array(values.to_numpy(dtype=object) if values.dtype == object else values)
    else:
        arr = pa.array(np.asarray(values))
    return arr if pa.types.is_string(arr.type) else pc.cast(arr, pa.string())


def person_keys(datazone, sex, birth_year, person_index) -> pa.Array:
    """`datazone|sex|birth year|index`: one synthetic person (sex as `M`/`F`)."""
    return pc.binary_join_element_wise(_text(datazone), _text(sex), _text(birth_year), _text(person_index), "|")


def patient_ids(seed: int, datazone, sex, birth_year, person_index) -> pd.api.extensions.ExtensionArray:
    """The pseudonymous patient_id of each person: the same in every twin for a seed."""
    return pseudonym(seed, person_keys(datazone, sex, birth_year, person_index), "P")


def financial_year_days(fy: int) -> tuple[np.datetime64, np.ndarray, np.ndarray]:
    """(1 April of `fy`, day offsets 0..364/365, calendar month 1..12 of each day)."""
    start = np.datetime64(f"{fy}-04-01")
    days = np.arange((np.datetime64(f"{fy + 1}-04-01") - start).astype(int))
    month = (start + days).astype("datetime64[M]").astype(int) % 12 + 1
    return start, days, month


def sex_code(sex) -> np.ndarray:
    """`M`/`F` as the contracts' `1`/`2`."""
    return np.where(np.asarray(sex) == "M", "1", "2")


def write_parquet(
    frame: pd.DataFrame,
    path: Path,
    *,
    generator: str,
    version: str,
    notice: str,
    seed: int,
    financial_years: list[int],
    scale: float = 1.0,
    schema: pa.Schema | None = None,
) -> Path:
    """Write `frame` as Parquet whose file metadata says it is synthetic (atomically).

    The pandas metadata is dropped, so the bytes depend only on the values (and the
    pyarrow version), not on the pandas version.
    """
    table = pa.Table.from_pandas(frame, preserve_index=False, schema=schema)
    meta = dict(table.schema.metadata or {})
    meta.update(
        {
            b"synthetic": b"true",
            b"notice": notice.encode(),
            b"generator": generator.encode(),
            b"generator_version": version.encode(),
            b"seed": str(seed).encode(),
            b"financial_years": ",".join(map(str, financial_years)).encode(),
        }
    )
    if scale != 1:  # a scaled-down twin says so; the full-scale file is unchanged
        meta[b"scale"] = f"{scale:g}".encode()
    meta.pop(b"pandas", None)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    pq.write_table(table.replace_schema_metadata(meta), tmp, compression="zstd")
    tmp.replace(path)
    return path


def file_name(stem: str, version: str, seed: int, financial_years: list[int], scale: float = 1.0) -> str:
    """The twin's file name: generator version, seed, period and (when not 1) scale."""
    scaled = "" if scale == 1 else f"_scale{scale:g}"
    return f"{stem}_SYNTHETIC_v{version}_seed{seed}{scaled}_fy{financial_years[0]}-{financial_years[-1]}.parquet"


@dataclass(frozen=True)
class Twin:
    """How one generator's extract is named and written (its module exposes `write_extract`, `extract_file_name`)."""

    stem: str  # the input name, e.g. smr01_episodes
    generator: str  # the generating module
    version: str  # bumped when what it writes changes, so cached extracts are regenerated
    schema: pa.Schema | None = None

    @property
    def notice(self) -> str:
        return f"SYNTHETIC DATA generated by {self.generator}: no real patients"

    def write_extract(
        self, frame: pd.DataFrame, path: Path, *, seed: int, financial_years: list[int], scale: float = 1.0
    ) -> Path:
        """Write the extract as Parquet whose file metadata says it is synthetic."""
        return write_parquet(
            frame,
            path,
            generator=self.generator,
            version=self.version,
            notice=self.notice,
            seed=seed,
            financial_years=financial_years,
            scale=scale,
            schema=self.schema,
        )

    def extract_file_name(self, seed: int, financial_years: list[int], scale: float = 1.0) -> str:
        return file_name(self.stem, self.version, seed, financial_years, scale)
