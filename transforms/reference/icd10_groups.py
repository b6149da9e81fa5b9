"""ICD-10 groups used by the indicator catalogue: potentially preventable admissions, falls.

Codes are written as SMR01 holds them: no dot, upper case, three-character
categories padded to four with `X` (`I10X`); a rule on a three-character category
matches on the first three characters, a four-character rule on the first four.

Potentially preventable admissions (PPA)
----------------------------------------
Also called ambulatory care sensitive conditions (ACSC): emergency admissions for
19 conditions that timely, effective primary and community care could often
prevent. The list below is the one Public Health Scotland applies in its Source
Linkage Files, function `add_ppa_flag()` in the repository
Public-Health-Scotland/source-linkage-files, file `R/add_ppa_flag.R` (read at commit
13fc2c99bec4239abd4bd695e400b12e8ae629d2). The same conditions and codes are used by
the PHS LIST locality profiles ("Potentially Preventable Admissions", unscheduled
care data extraction script) and descend from the 19-condition ACSC subset in common
NHS use (NHS Institute for Innovation and Improvement; compared with 36 other
definitions in Purdy S et al., "Ambulatory care sensitive conditions: terminology
and disease coding need to be more specific to aid policy makers and clinicians",
Public Health 2009;123(2):169-73, doi:10.1016/j.puhe.2008.11.001).

How PHS applies it: the first episode of a non-elective continuous inpatient stay
(SMR01, GLS, SMR02, SMR04) is a PPA when its main condition (position 1) or, for
the "any position" conditions, any of its six diagnosis positions has a listed
code. Four conditions are excluded when the main operation (`op1a`) is one of
listed OPCS-4 codes (below). **This project's SMR01 contract has no operation
codes**, so `ppa_condition` cannot apply those exclusions: it counts such stays
(a small over-count, mostly cardiac and skin procedures). Everything else follows
the PHS function, including its idiosyncrasies (e.g. ENT `J321`, COPD with `J47`,
nutritional deficiency `M833`).

Falls
-----
Core Suite Integration Indicator 16 (NI-16, falls rate per 1,000 population aged
65+) and the PHS locality profiles count emergency admissions with admission type
33, 34 or 35 (injury: home accident, incident at work, other injury) and an ICD-10
external cause of a fall, W00-W19, in any diagnosis position (`is_fall_admission`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

PPA_SOURCE = (
    "Public Health Scotland, Source Linkage Files, R/add_ppa_flag.R "
    "(github.com/Public-Health-Scotland/source-linkage-files, "
    "commit 13fc2c99bec4239abd4bd695e400b12e8ae629d2)"
)
FALLS_SOURCE = (
    "Core Suite of Integration Indicators NI-16 as implemented in the PHS LIST locality "
    "profiles: admission type 33-35 and W00-W19 in any diagnosis position"
)

DIAGNOSIS_COLUMNS = (
    "main_condition",
    "other_condition_1",
    "other_condition_2",
    "other_condition_3",
    "other_condition_4",
    "other_condition_5",
)
FALL_ADMISSION_TYPES = frozenset({"33", "34", "35"})
FALL_CAUSES = tuple(f"W{n:02d}" for n in range(0, 20))  # W00-W19
# OPCS-4 main operations that exclude a stay from some PPA conditions (not in this
# project's SMR01 contract; listed for completeness and for a future extract that has them).
DENTAL_OPERATIONS = tuple(f"K{n:02d}" for n in range(1, 51)) + ("K56", "K60", "K61")
ANGINA_OPERATIONS = ("K40", "K45", "K49", "K60", "K65", "K66")
CELLULITIS_OPERATIONS = ("S06", "S57", "S68", "S70", "W90", "X11")


@dataclass(frozen=True)
class PpaRule:
    condition: str
    position: str  # "main": main condition only; "any": any of the six positions
    codes3: tuple[str, ...] = ()  # matched on the first three characters
    codes4: tuple[str, ...] = ()  # matched on the first four characters
    excluding_operations: tuple[str, ...] = ()  # OPCS-4 op1a categories that exclude (not applied here)
    second_position3: tuple[str, ...] = ()  # main rule that also needs position 2 in these categories


def _diabetes_complications() -> tuple[str, ...]:
    return tuple(f"E1{t}{c}" for t in range(0, 5) for c in range(0, 9))  # E10-E14, 4th character 0-8


PPA_RULES: tuple[PpaRule, ...] = (
    PpaRule("ENT infections", "main", ("H66", "J06"), ("J028", "J029", "J038", "J039", "J321")),
    PpaRule("Dental conditions", "main", ("K02", "K03", "K04", "K05", "K06", "K08")),
    PpaRule("Convulsions and epilepsy", "main", ("G40", "G41", "R56", "O15")),
    PpaRule("Gangrene", "any", ("R02",)),
    PpaRule("Nutritional deficiencies", "main", ("E40", "E41", "E43"), ("E550", "E643", "M833")),
    PpaRule("Dehydration and gastroenteritis", "main", ("E86",), ("K522", "K528", "K529")),
    PpaRule("Pyelonephritis", "main", ("N10", "N11", "N12")),
    PpaRule(
        "Perforated/bleeding ulcer", "main", (), tuple(f"K2{u}{c}" for u in (5, 6, 7, 8) for c in (0, 1, 2, 4, 5, 6))
    ),
    PpaRule(
        "Cellulitis",
        "main",
        ("L03", "L04"),
        ("L080", "L088", "L089", "L980"),
        excluding_operations=CELLULITIS_OPERATIONS,
    ),
    PpaRule("Pelvic inflammatory disease", "main", ("N70", "N73")),
    PpaRule("Influenza and pneumonia", "any", ("J10", "J11", "J13"), ("J181",)),
    PpaRule(
        "Other vaccine preventable", "any", ("A35", "A36", "A80", "B05", "B06", "B26"), ("A370", "A379", "B161", "B169")
    ),
    PpaRule("Iron deficiency anaemia", "main", (), ("D501", "D508", "D509")),
    PpaRule("Asthma", "main", ("J45", "J46")),
    PpaRule("Diabetes complications", "any", (), _diabetes_complications()),
    PpaRule("Hypertension", "main", ("I10",), ("I119",), excluding_operations=DENTAL_OPERATIONS),
    PpaRule("Angina", "main", ("I20",), excluding_operations=ANGINA_OPERATIONS),
    PpaRule("COPD", "main", ("J41", "J42", "J43", "J44", "J47")),
    PpaRule("COPD", "main", ("J20",), second_position3=("J41", "J42", "J43", "J44", "J47")),
    PpaRule("Congestive heart failure", "main", ("I50", "J81"), ("I110",), excluding_operations=DENTAL_OPERATIONS),
)
PPA_CONDITIONS: tuple[str, ...] = tuple(dict.fromkeys(r.condition for r in PPA_RULES))


def _codes(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column].astype("str").str.upper().str.replace(".", "", regex=False)


def _first_rule_by_prefix(position: str) -> tuple[dict[str, int], dict[str, int]]:
    """{three-character prefix: index of the first rule of that position listing it}
    and the same for four characters. Matching becomes one dictionary look-up per
    code instead of one comparison per rule, which matters because DuckDB calls
    these functions on batches of about 2,000 rows."""
    by3: dict[str, int] = {}
    by4: dict[str, int] = {}
    for index, rule in enumerate(PPA_RULES):
        if rule.position != position:
            continue
        for code in rule.codes3:
            by3.setdefault(code, index)
        for code in rule.codes4:
            by4.setdefault(code, index)
    return by3, by4


_MAIN_RULES = _first_rule_by_prefix("main")
_ANY_RULES = _first_rule_by_prefix("any")
_NO_RULE = len(PPA_RULES)


def _first_rule(codes: list, rules: tuple[dict[str, int], dict[str, int]]) -> np.ndarray:
    """Index of the first rule each code matches (on 3 or 4 characters), or _NO_RULE.

    Plain dictionary look-ups over a list: on DuckDB's batches of about 2,000 rows
    this is several times faster than a pandas operation per rule."""
    by3, by4 = rules
    return np.fromiter(
        (min(by3.get(c[:3], _NO_RULE), by4.get(c[:4], _NO_RULE)) if isinstance(c, str) else _NO_RULE for c in codes),
        dtype=np.int64,
        count=len(codes),
    )


def ppa_condition(frame: pd.DataFrame) -> pd.Series:
    """The PPA condition of each row (first matching rule, in PHS order), or missing.

    `frame` has `main_condition` and any of `other_condition_1`..`_5` (missing = none).
    Apply it to the first episode of emergency stays only; operation-code exclusions
    are not applied (see the module docstring).
    """
    columns = [c for c in DIAGNOSIS_COLUMNS if c in frame.columns]
    codes = {c: _codes(frame, c).tolist() for c in columns}
    first = _first_rule(codes["main_condition"], _MAIN_RULES)
    # A main rule that also needs position 2 (COPD: J20 with J41-J44/J47) matches only then.
    second = codes.get("other_condition_1")
    for index, rule in enumerate(PPA_RULES):
        if rule.second_position3:
            allowed = set(rule.second_position3)
            ok = (
                np.array([isinstance(c, str) and c[:3] in allowed for c in second], dtype=bool)
                if second is not None
                else np.zeros(len(frame), dtype=bool)
            )
            unmet = (first == index) & ~ok
            if unmet.any():  # fall through to the next main rule listing the code, if any
                rest = tuple({k: v for k, v in table.items() if v > index} for table in _MAIN_RULES)
                first = np.where(unmet, _first_rule(codes["main_condition"], rest), first)
    for c in columns:
        first = np.minimum(first, _first_rule(codes[c], _ANY_RULES))
    names = np.array([r.condition for r in PPA_RULES] + [None], dtype=object)
    return pd.Series(names[first], index=frame.index, dtype=object)


def has_fall_cause(frame: pd.DataFrame) -> pd.Series:
    """True where any diagnosis position holds an external cause of a fall (W00-W19)."""
    hit = np.zeros(len(frame), dtype=bool)
    for c in DIAGNOSIS_COLUMNS:
        if c in frame.columns:
            hit |= _codes(frame, c).str[:3].isin(FALL_CAUSES).to_numpy(dtype=bool, na_value=False)
    return pd.Series(hit, index=frame.index)


def is_fall_admission(frame: pd.DataFrame) -> pd.Series:
    """NI-16 falls: admission type 33-35 and W00-W19 in any diagnosis position."""
    injury = frame["admission_type"].astype("str").isin(FALL_ADMISSION_TYPES).to_numpy(dtype=bool)
    return has_fall_cause(frame) & injury
