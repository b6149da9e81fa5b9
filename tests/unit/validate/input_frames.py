"""Small input frames for the validate tests, as transforms.sources.files.read_csv returns them."""

from __future__ import annotations

import pandas as pd

from transforms.validate import Failure

DATAZONES = ["S01006506", "S01006507", "S01006508", "S01010000", "S01013481"]
SMR01_REFS = {"datazone2011": set(DATAZONES)}


def smr01_rows() -> pd.DataFrame:
    """Five good episodes, all text, as transforms.sources.files.read_csv returns them."""
    rows = [
        # patient_id, cis_id, ep, admitted, discharged, type, age, sex, dz, specialty, los, main, other 1-5
        (
            "P0123456789abcdef",
            "C001",
            "1",
            "2020-04-01",
            "2020-04-03",
            "36",
            "71",
            "2",
            DATAZONES[0],
            "A1",
            "2",
            "J440",
            "I10X",
            "E119",
            "",
            "",
            "",
        ),
        (
            "P0123456789abcdef",
            "C001",
            "2",
            "2020-04-03",
            "2020-04-10",
            "18",
            "71",
            "2",
            DATAZONES[0],
            "AB",
            "7",
            "J440",
            "I10X",
            "E119",
            "",
            "",
            "",
        ),
        (
            "P00000000000000ff",
            "C002",
            "1",
            "2020-05-01",
            "2020-05-01",
            "10",
            "0",
            "1",
            DATAZONES[1],
            "C8",
            "0",
            "K409",
            "",
            "",
            "",
            "",
            "",
        ),
        (
            "Pfedcba9876543210",
            "C003",
            "1",
            "2021-01-31",
            "2021-02-02",
            "30",
            "115",
            "1",
            DATAZONES[3],
            "A1",
            "2",
            "S720",
            "W010",
            "I489",
            "N183",
            "F03X",
            "Z921",
        ),
        (
            "P1111111111111111",
            "C004",
            "1",
            "2021-03-31",
            "2021-04-01",
            "20",
            "34",
            "2",
            DATAZONES[4],
            "F2",
            "1",
            "R074",
            "",
            "",
            "",
            "",
            "",
        ),
    ]
    cols = [
        "patient_id",
        "cis_id",
        "episode_number",
        "admission_date",
        "discharge_date",
        "admission_type",
        "age_at_admission",
        "sex",
        "datazone2011",
        "specialty",
        "length_of_stay",
        "main_condition",
        "other_condition_1",
        "other_condition_2",
        "other_condition_3",
        "other_condition_4",
        "other_condition_5",
    ]
    return pd.DataFrame(rows, columns=cols, dtype=str)


def locality_rows(with_basis: bool = True) -> tuple[pd.DataFrame, dict[str, set[str]]]:
    """A complete lookup (6,976 made-up data zones, as the suite demands) and its reference sets."""
    zones = [f"S01{n:06d}" for n in range(1, 6977)]
    hscps = [f"S370000{n:02d}" for n in (1, 2, 3)]
    frame = pd.DataFrame(
        {
            "datazone2011": zones,
            "hscp_locality": [f"Locality {i % 7}" for i in range(len(zones))],
            "hscp2019": [hscps[i % 3] for i in range(len(zones))],
        },
        dtype=str,
    )
    if with_basis:
        frame["lookup_basis"] = "illustrative"
    return frame, {"datazone2011": set(zones), "hscp2019_any": set(hscps) | {"S37000014"}}


def only(failures: list[Failure], expectation: str, column: str | None = None) -> Failure:
    hits = [f for f in failures if f.expectation == expectation and (column is None or f.column == column)]
    assert len(hits) == 1, failures
    return hits[0]
