"""ICD-10 groups: the PHS potentially preventable admissions rules and the NI-16 falls rule."""

import pandas as pd
import pytest

from transforms.reference import icd10_groups as g


def frame(*rows, admission_type="36"):
    """Rows of (main_condition, other conditions...)."""
    records = []
    for row in rows:
        rec = {"main_condition": row[0], "admission_type": admission_type}
        for i in range(1, 6):
            rec[f"other_condition_{i}"] = row[i] if i < len(row) else None
        records.append(rec)
    return pd.DataFrame(records)


@pytest.mark.parametrize(
    "main, others, condition",
    [
        ("J440", (), "COPD"),
        ("J47X", (), "COPD"),
        ("J209", ("J449",), "COPD"),  # acute bronchitis with COPD second
        ("J209", ("I10X", "J449"), None),  # ... only in the second position
        ("I500", (), "Congestive heart failure"),
        ("I110", (), "Congestive heart failure"),
        ("I10X", (), "Hypertension"),
        ("I119", (), "Hypertension"),
        ("I209", (), "Angina"),
        ("J069", (), "ENT infections"),
        ("J039", (), "ENT infections"),
        ("J030", (), None),
        ("K254", (), "Perforated/bleeding ulcer"),
        ("K253", (), None),
        ("E112", (), "Diabetes complications"),
        ("E119", (), None),  # diabetes without complication is not a PPA
        ("R074", ("E119", "E105"), "Diabetes complications"),  # any position
        ("R074", ("J181",), "Influenza and pneumonia"),
        ("J189", (), None),  # unspecified pneumonia is not on the list
        ("N390", (), None),  # nor is urinary tract infection
        ("N10X", (), "Pyelonephritis"),
        ("S720", ("W010", "R02X"), "Gangrene"),
        ("L031", (), "Cellulitis"),
        ("D509", (), "Iron deficiency anaemia"),
        ("E86X", (), "Dehydration and gastroenteritis"),
        ("K529", (), "Dehydration and gastroenteritis"),
        ("A099", (), None),
        ("R560", (), "Convulsions and epilepsy"),
        ("O200", (), None),
        ("B054", (), "Other vaccine preventable"),
        ("R074", ("J459",), None),  # asthma counts as main condition only
        ("j45.9", (), "Asthma"),  # case and a dot are tolerated
    ],
)
def test_ppa_rules(main, others, condition):
    got = g.ppa_condition(frame((main, *others))).iloc[0]
    assert (got if got is not None else None) == condition


def test_the_19_conditions_are_all_there():
    assert len(g.PPA_CONDITIONS) == 19
    assert g.PPA_SOURCE.startswith("Public Health Scotland")


def test_falls_need_an_injury_admission_type_and_a_w00_w19_cause():
    rows = frame(("S720", "W010"), ("S720", "I10X", "W190"), ("S720", "W200"), ("R296",), admission_type="33")
    assert g.is_fall_admission(rows).tolist() == [True, True, False, False]
    assert not g.is_fall_admission(frame(("S720", "W010"), admission_type="36")).iloc[0]
    assert g.has_fall_cause(frame(("S720", None, None, None, None, "W199"))).iloc[0]


def test_missing_other_conditions_are_fine():
    rows = pd.DataFrame({"main_condition": ["J440", "R074"], "admission_type": ["30", "30"]})
    assert g.ppa_condition(rows).tolist() == ["COPD", None]
    assert g.is_fall_admission(rows).tolist() == [False, False]
