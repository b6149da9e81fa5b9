"""The ICD-10 group UDFs (transforms.udfs.icd10) give in SQL exactly what the pandas functions give."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from transforms.reference import icd10_groups as g
from transforms.udfs import register

COLUMNS = ["admission_type", *g.DIAGNOSIS_COLUMNS]
DIAGNOSES_SQL = ", ".join(g.DIAGNOSIS_COLUMNS)


def _rule_codes() -> list[str]:
    """Every code a rule names, as SMR01 writes it, plus near misses and the fall causes."""
    codes = []
    for rule in g.PPA_RULES:
        codes += [f"{c}X" for c in rule.codes3] + [f"{c}9" for c in rule.codes3] + list(rule.codes4)
        codes += list(rule.second_position3)
    codes += [f"{c}0" for c in g.FALL_CAUSES] + ["W200", "W010", "J189", "N390", "K253", "E119", "I10X"]
    return sorted(set(codes))


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    """Episodes drawn from the rule codes (so every condition occurs), with gaps and odd spellings."""
    rng = np.random.default_rng(2024)
    n = 6000  # several DuckDB vectors of 2048 rows: the UDF is called once per vector
    codes = np.array(_rule_codes() + ["R074", "S720", "I259", "Z876"], dtype=object)
    data = {c: rng.choice(codes, n) for c in g.DIAGNOSIS_COLUMNS}
    for c in g.DIAGNOSIS_COLUMNS[1:]:  # later positions are often empty
        data[c] = np.where(rng.random(n) < 0.4, None, data[c])
    data["admission_type"] = rng.choice(np.array(["10", "30", "33", "34", "35", "36", None], dtype=object), n)
    df = pd.DataFrame(data)[COLUMNS]
    edge = pd.DataFrame(
        [
            ["30", None, "R02X", None, None, None, None],  # gangrene in another position, no main condition
            [None, None, None, None, None, None, None],  # nothing at all
            ["30", "j45.9", None, None, None, None, None],  # lower case and a dot
            ["33", "S720", "", None, None, None, "W190"],  # empty string, fall cause in the last position
            [None, "S720", "W010", None, None, None, None],  # fall cause without an admission type
            ["30", "J209", "J449", None, None, None, None],  # COPD through the second position
        ],
        columns=COLUMNS,
    )
    out = pd.concat([df, edge], ignore_index=True)
    out.insert(0, "id", np.arange(len(out)))
    return out


@pytest.fixture()
def conn(frame):
    con = register(duckdb.connect(":memory:"))
    con.register("episodes", frame)
    yield con
    con.close()


def test_ppa_condition_in_sql_equals_pandas(conn, frame):
    sql = conn.sql(f"select ppa_condition({DIAGNOSES_SQL}) as c from episodes order by id").df()["c"]
    expected = g.ppa_condition(frame)
    assert [None if pd.isna(c) else c for c in sql] == expected.tolist()
    assert set(expected.dropna()) == set(g.PPA_CONDITIONS)  # every one of the 19 conditions was exercised
    assert expected.isna().any()


def test_is_fall_admission_in_sql_equals_pandas(conn, frame):
    sql = conn.sql(f"select is_fall_admission(admission_type, {DIAGNOSES_SQL}) as f from episodes order by id").df()[
        "f"
    ]
    expected = g.is_fall_admission(frame)
    assert sql.tolist() == expected.tolist()
    assert expected.any() and not expected.all()


def test_missing_codes_match_nothing_and_never_make_the_result_null(conn):
    rows = conn.sql(f"""
        select ppa_condition({DIAGNOSES_SQL}) as c,
               is_fall_admission(admission_type, {DIAGNOSES_SQL}) as f
        from episodes where id >= 6000 order by id
    """).fetchall()
    assert rows == [
        ("Gangrene", False),
        (None, False),
        ("Asthma", False),
        (None, True),
        (None, False),
        ("COPD", False),
    ]
