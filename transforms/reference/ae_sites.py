"""A&E sites: the compact site -> board reference the synthetic A&E twin draws on.

Derived from the PHS open data "Monthly A&E activity and waiting times" extract
(`monthly_ae_activity_202404.csv` in ../shared/data, site level, July 2007 to April
2024). One row per site, department type and complete financial year:

| column | meaning |
|---|---|
| `site_code` | A&E treatment location code (e.g. `A111H`) |
| `hb2019` | NHS board of treatment (the extract's `HBT`, current codes) |
| `department_type` | `ED` (Emergency Department) or `MIU` (Minor Injury Unit or Other) |
| `financial_year` | 2022 means 2022/23 (April to March); only complete years |
| `attendances` | attendances in the year (all attendance types) |
| `within_4_hours` | of those, seen and discharged, admitted or transferred within 4 hours |

(Month, site, department type) repeats in a few months of the source; those rows
are added together. Nothing else is changed. Written to `reference/ae_sites.csv`
by `python -m transforms.reference.ae_sites --from-dir ../shared/data`; the test
`tests/unit/reference/test_ae_sites_reference.py` checks the committed file is what this
code derives. Source and licence: `reference/ATTRIBUTION.md`.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import pandas as pd

SOURCE_FILE = "monthly_ae_activity_202404.csv"
FILE_NAME = "ae_sites.csv"
DEPARTMENT_TYPES = {"Emergency Department": "ED", "Minor Injury Unit or Other": "MIU"}
COLUMNS = ["site_code", "hb2019", "department_type", "financial_year", "attendances", "within_4_hours"]


def derive(src: Path) -> pd.DataFrame:
    """The site table from the monthly A&E activity extract in `src`."""
    raw = pd.read_csv(Path(src) / SOURCE_FILE, dtype=str, keep_default_na=False)
    unknown = set(raw["DepartmentType"]) - set(DEPARTMENT_TYPES)
    if unknown:
        raise ValueError(f"{SOURCE_FILE}: unknown DepartmentType {sorted(unknown)}")
    year, month = raw["Month"].str[:4].astype(int), raw["Month"].str[4:6].astype(int)
    frame = pd.DataFrame(
        {
            "site_code": raw["TreatmentLocation"],
            "hb2019": raw["HBT"],
            "department_type": raw["DepartmentType"].map(DEPARTMENT_TYPES),
            "financial_year": year - (month < 4).astype(int),
            "month": raw["Month"],
            "attendances": raw["NumberOfAttendancesAll"].astype("int64"),
            "within_4_hours": raw["NumberWithin4HoursAll"].astype("int64"),
        }
    )
    if frame.groupby("site_code")["hb2019"].nunique().max() != 1:
        raise ValueError(f"{SOURCE_FILE}: a site belongs to more than one board")
    # Complete financial years only: all twelve months present somewhere in Scotland.
    months = frame.groupby("financial_year")["month"].nunique()
    complete = months[months == 12].index
    frame = frame[frame["financial_year"].isin(complete)]
    out = frame.groupby(["site_code", "hb2019", "department_type", "financial_year"], as_index=False)[
        ["attendances", "within_4_hours"]
    ].sum()
    out = out[out["attendances"] > 0]
    return out.sort_values(["site_code", "department_type", "financial_year"]).reset_index(drop=True)[COLUMNS]


def load(reference_dir: Path) -> pd.DataFrame:
    """The committed table, typed."""
    return pd.read_csv(
        Path(reference_dir) / FILE_NAME,
        dtype={
            "site_code": str,
            "hb2019": str,
            "department_type": str,
            "financial_year": "int64",
            "attendances": "int64",
            "within_4_hours": "int64",
        },
    )


def write(src: Path, dest: Path) -> Path:
    """Derive the table from `src` and write it to `dest`/ae_sites.csv; return the path."""
    path = Path(dest) / FILE_NAME
    derive(src).to_csv(path, index=False, lineterminator="\n")
    return path


def source_sha256(src: Path) -> str:
    return hashlib.sha256((Path(src) / SOURCE_FILE).read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from-dir", type=Path, required=True, help="folder holding " + SOURCE_FILE)
    parser.add_argument("--to-dir", type=Path, default=Path(__file__).resolve().parents[2] / "reference")
    args = parser.parse_args(argv)
    path = write(args.from_dir, args.to_dir)
    print(f"wrote {path} from {SOURCE_FILE} (sha256 {source_sha256(args.from_dir)})")


if __name__ == "__main__":
    main()
