"""Derive the compact, committed reference snapshot from the public source files.

`make run` must work offline on a clone without ../shared, so the pipeline's
reference inputs are small normalised files under reference/, made by this module
from the PHS/NRS/SG extracts (see reference/ATTRIBUTION.md). Run it again with
`make snapshot` when a source file changes; tests check the committed snapshot
still equals what this code derives.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

from transforms.archive import file_sha256
from transforms.reference.names import name_key
from transforms.sources.files import read_csv

SOURCE_FILES = {
    "geography": "dz2011_codes_and_labels_21042020.csv",
    "council_areas": "ca11_ca19.csv",
    "health_boards": "hb14_hb19.csv",
    "hscp_population": "hscp_pop_est.csv",
    "simd": "simd2020v2_22062020.csv",
    "urban_rural": "datazone2011_urban_rural_2020.csv",
    "localities": "hsc_localities_from_scotpho_geo_lookup_DERIVED.csv",
    "partial_locality_lookup": "profiles_dz_iz_cp_lookup.csv",
    "sape_males": "sape-2021-males.xlsx",
    "sape_females": "sape-2021-females.xlsx",
}
OLDEST_AGE = 90  # single years 0..89, then 90 and over
PARQUET_OPTS = {"index": False, "compression": "zstd"}


def geography(src: Path) -> pd.DataFrame:
    df, _ = read_csv(src / SOURCE_FILES["geography"])
    out = df.rename(
        columns={
            "DataZone": "datazone2011",
            "DataZoneName": "datazone2011_name",
            "IntZone": "intzone2011",
            "IntZoneName": "intzone2011_name",
            "CA": "ca2019",
            "CAName": "ca2019_name",
            "HSCP": "hscp2019",
            "HSCPName": "hscp2019_name",
            "HB": "hb2019",
            "HBName": "hb2019_name",
        }
    ).drop(columns=["Country"])
    return out.sort_values("datazone2011").reset_index(drop=True)


def code_changes(src: Path) -> pd.DataFrame:
    """Archived HSCP, council area and board codes and the current code of the same area."""
    ca, _ = read_csv(src / SOURCE_FILES["council_areas"])
    hb, _ = read_csv(src / SOURCE_FILES["health_boards"])
    rows = []
    for level, frame, code, name, archived in (
        ("hscp", ca, "HSCP", "HSCPName", "HSCPDateArchived"),
        ("council_area", ca, "CA", "CAName", "CADateArchived"),
        ("health_board", hb, "HB", "HBName", "HBDateArchived"),
    ):
        frame = frame[[code, name, archived]].drop_duplicates()
        current = frame[frame[archived] == ""].drop_duplicates(code).set_index(name)[code]
        for _, old in frame[frame[archived] != ""].iterrows():
            rows.append(
                {
                    "geography_level": level,
                    "old_code": old[code],
                    "new_code": current[old[name]],
                    "area_name": old[name],
                    "date_archived": f"{old[archived][:4]}-{old[archived][4:6]}-{old[archived][6:]}",
                }
            )
    return pd.DataFrame(rows).sort_values(["geography_level", "old_code"]).reset_index(drop=True)


def hscp_population(src: Path) -> pd.DataFrame:
    """NRS mid-year estimates by HSCP, sex and single year of age, long format.

    Scotland and 'All' sex rows are derived (QF 'd'): they are checked, then dropped.
    """
    df, _ = read_csv(src / SOURCE_FILES["hscp_population"])
    age_cols = [c for c in df.columns if c.startswith("Age")]
    for c in age_cols + ["AllAges", "Year"]:
        df[c] = df[c].astype("int64")
    assert (df[age_cols].sum(axis=1) == df["AllAges"]).all(), "AllAges is not the sum of ages"
    derived = (df["HSCPQF"] == "d") | (df["SexQF"] == "d")
    parts = df[~derived & df["Sex"].isin(["Male", "Female"])]
    scot = df[(df["HSCP"] == "S92000003") & (df["Sex"] == "All")].set_index("Year")["AllAges"]
    assert (parts.groupby("Year")["AllAges"].sum() == scot).all(), "HSCPs do not add to Scotland"
    long = parts.melt(id_vars=["Year", "HSCP", "Sex"], value_vars=age_cols, var_name="age_col", value_name="population")
    long["age"] = long["age_col"].str.extract(r"(\d+)")[0].astype("int16")
    return (
        pd.DataFrame(
            {
                "year": long["Year"].astype("int16"),
                "hscp2019": long["HSCP"],
                "sex": long["Sex"].map({"Male": "M", "Female": "F"}),
                "age": long["age"],
                "population": long["population"].astype("int32"),
            }
        )
        .sort_values(["year", "hscp2019", "sex", "age"])
        .reset_index(drop=True)
    )


def _sape_sheet(path: Path, sex: str) -> pd.DataFrame:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    ws = wb[[n for n in wb.sheetnames if n != "General_notes"][0]]
    rows = ws.iter_rows(values_only=True)
    header = None
    records = []
    for row in rows:
        if header is None:
            if row and row[0] == "Data zone code":
                header = [str(h).strip() if h is not None else "" for h in row]
            continue
        if row[0] is None:  # the persons/females sheets are padded with empty rows
            continue
        records.append(row)
    wb.close()
    df = pd.DataFrame(records, columns=header)
    age_cols = [c for c in header if c.startswith("Age ")]
    assert (df[age_cols].sum(axis=1) == df["Total population"]).all(), f"{path}: totals"
    long = df.melt(id_vars=["Data zone code"], value_vars=age_cols, var_name="age_col", value_name="population")
    long["age"] = long["age_col"].map(lambda c: int(re.search(r"\d+", c).group()))
    return pd.DataFrame(
        {
            "datazone2011": long["Data zone code"],
            "sex": sex,
            "age": long["age"].astype("int16"),
            "population": long["population"].astype("int32"),
        }
    )


def datazone_population_2021(src: Path) -> pd.DataFrame:
    """NRS SAPE mid-2021 data-zone populations (2011-census base) by sex and single year."""
    df = pd.concat(
        [_sape_sheet(src / SOURCE_FILES["sape_males"], "M"), _sape_sheet(src / SOURCE_FILES["sape_females"], "F")]
    )
    return df.sort_values(["datazone2011", "sex", "age"]).reset_index(drop=True)


def _per_datazone(src: Path, source: str, columns: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """One row per data zone of a file keyed by `DataZone`: {source column: (name, dtype)}, in code order."""
    df, _ = read_csv(src / SOURCE_FILES[source])
    out = pd.DataFrame(
        {
            "datazone2011": df["DataZone"],
            **{name: df[column].astype(dtype) for column, (name, dtype) in columns.items()},
        }
    )
    return out.sort_values("datazone2011").reset_index(drop=True)


def simd(src: Path) -> pd.DataFrame:
    return _per_datazone(
        src,
        "simd",
        {
            "SIMD2020V2Rank": ("simd2020v2_rank", "int16"),
            "SIMD2020V2CountryDecile": ("simd2020v2_sc_decile", "int8"),
            "SIMD2020V2CountryQuintile": ("simd2020v2_sc_quintile", "int8"),
            "SIMD2020V2HSCPQuintile": ("simd2020v2_hscp_quintile", "int8"),
        },
    )


def urban_rural(src: Path) -> pd.DataFrame:
    """The Scottish Government Urban Rural Classification 2020 of each 2011 data zone (2-, 3-, 6- and 8-fold)."""
    return _per_datazone(
        src, "urban_rural", {f"UrbanRural{n}fold2020": (f"urban_rural_{n}fold", "int8") for n in (2, 3, 6, 8)}
    )


def localities(src: Path) -> pd.DataFrame:
    df, _ = read_csv(src / SOURCE_FILES["localities"])
    return (
        df.rename(columns={"hscp_code": "hscp2019"})[["locality_code", "locality_name", "hscp2019", "hscp_name"]]
        .sort_values("locality_code")
        .reset_index(drop=True)
    )


def demo_locality_lookup(src: Path, geo: pd.DataFrame, locs: pd.DataFrame, dz_pop: pd.DataFrame) -> pd.DataFrame:
    """A data zone -> locality lookup for the demo: real where published, else illustrative.

    Highland and Argyll and Bute come from the partial public lookup. For every other
    HSCP its intermediate zones, in code order, are cut into as many runs of roughly
    equal population as it has localities, and each run is given a real locality name
    in code order. That assignment is invented: it is marked 'illustrative'.
    """
    partial, _ = read_csv(src / SOURCE_FILES["partial_locality_lookup"])
    partial = partial.merge(
        geo[["datazone2011", "hscp2019"]], left_on="DataZone", right_on="datazone2011", validate="1:1"
    )
    known = pd.DataFrame(
        {
            "datazone2011": partial["DataZone"],
            "hscp_locality": partial["CP_Name"],
            "hscp2019": partial["hscp2019"],
            "lookup_basis": "published",
        }
    )
    pop_dz = dz_pop.groupby("datazone2011")["population"].sum()
    iz = (
        geo.assign(pop=geo["datazone2011"].map(pop_dz))
        .groupby(["hscp2019", "intzone2011"], as_index=False)["pop"]
        .sum()
    )
    rows = []
    for hscp, group in iz[~iz["hscp2019"].isin(known["hscp2019"])].groupby("hscp2019"):
        names = (
            locs.loc[locs["hscp2019"] == hscp, "locality_name"]
            .sort_values(key=lambda s: locs.loc[s.index, "locality_code"])
            .tolist()
        )
        group = group.sort_values("intzone2011")
        share = group["pop"].cumsum().to_numpy() / group["pop"].sum()
        # The run an IZ falls in is fixed by the population share up to its midpoint.
        midpoint = share - group["pop"].to_numpy() / group["pop"].sum() / 2
        run = np.minimum((midpoint * len(names)).astype(int), len(names) - 1)
        rows.append(
            pd.DataFrame(
                {
                    "intzone2011": group["intzone2011"].to_numpy(),
                    "hscp_locality": [names[i] for i in run],
                    "hscp2019": hscp,
                }
            )
        )
    iz_loc = pd.concat(rows)
    invented = geo[["datazone2011", "intzone2011"]].merge(iz_loc, on="intzone2011")
    invented = invented.drop(columns="intzone2011").assign(lookup_basis="illustrative")
    out = pd.concat([known, invented]).sort_values("datazone2011").reset_index(drop=True)
    keys = set(locs["locality_name"].map(name_key))
    assert out["hscp_locality"].map(name_key).isin(keys).all(), "unknown locality name"
    assert len(out) == len(geo) and out["datazone2011"].is_unique
    return out


def derive(src: Path) -> dict[str, pd.DataFrame]:
    """Every snapshot table, keyed by its file name under reference/."""
    geo = geography(src)
    dz_pop = datazone_population_2021(src)
    locs = localities(src)
    return {
        "geography_dz2011.parquet": geo,
        "geography_code_changes.csv": code_changes(src),
        "hscp_localities.csv": locs,
        "hscp_population_estimates.parquet": hscp_population(src),
        "datazone_population_2021.parquet": dz_pop,
        "simd2020v2_datazone.parquet": simd(src),
        "urban_rural_dz2011.parquet": urban_rural(src),
        "locality_lookup_demo.csv": demo_locality_lookup(src, geo, locs, dz_pop),
    }


def write_snapshot(src: Path, dest: Path) -> dict:
    """Write the snapshot tables and SNAPSHOT.json (source checksums, row counts)."""
    dest.mkdir(parents=True, exist_ok=True)
    tables = derive(src)
    for name, df in tables.items():
        if name.endswith(".parquet"):
            df.to_parquet(dest / name, **PARQUET_OPTS)
        else:
            df.to_csv(dest / name, index=False, lineterminator="\n")
    meta = {
        "derived_by": "python -m transforms snapshot",
        "sources": {k: {"file": v, "sha256": file_sha256(src / v)} for k, v in SOURCE_FILES.items()},
        "tables": {name: {"rows": len(df)} for name, df in tables.items()},
    }
    (dest / "SNAPSHOT.json").write_text(json.dumps(meta, indent=2) + "\n")
    return meta
