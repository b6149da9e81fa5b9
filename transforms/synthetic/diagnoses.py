"""Plausible ICD-10 diagnoses for synthetic SMR01 stays (main and up to five other conditions).

Codes are written as SMR01 holds them: four characters, no dot, three-character
categories padded with `X`. The mix is invented for plausibility, by age band:

* emergency stays that are not injuries: a potentially preventable admission (PPA)
  condition (transforms.reference.icd10_groups) with a probability rising with age
  (about 9 % of adults' emergency stays to about 19 % at 75+), otherwise a common
  emergency diagnosis of that age (chest pain, pneumonia, UTI, stroke, bronchiolitis
  in infants, early pregnancy problems for some women aged 16-44, ...);
* injury admission types (31-35): an injury (S/T) main condition and its external
  cause as `other_condition_1`: self-harm X60-X84 for type 31, transport V-codes
  for 32, and for 33-35 a fall (W00-W19) in 88 % of stays at 65+ (45 % at 16-64,
  40 % under 16), otherwise another accident;
* elective stays: common planned procedures' diagnoses (cataract, joint
  replacement, hernia, chemotherapy, ...);
* other conditions: comorbidities of the age band, about 0.3 a stay in childhood to
  3 a stay at 90, without repeats, filled from `other_condition_1` upward.

Every episode of a stay carries the stay's diagnoses. The comorbidity pools hold no
code that the PPA rules count in any position (influenza, gangrene, vaccine
preventable, diabetes with complications), so a stay is a PPA only by its main
condition or its deliberately drawn one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

N_OTHER = 5
BANDS = ("infant", "child", "adult", "older", "elderly")  # 0, 1-15, 16-64, 65-74, 75+

# Share of emergency non-injury stays given a PPA main condition, by band.
PPA_SHARE = {"infant": 0.12, "child": 0.16, "adult": 0.09, "older": 0.16, "elderly": 0.19}
PPA_MAIN = {
    "infant": {"J069": 4, "R560": 2, "E86X": 2, "K529": 2},
    "child": {"J069": 3, "J038": 1, "H669": 1, "J459": 3, "R560": 2, "G409": 1, "K529": 2, "E86X": 1, "K021": 1},
    "adult": {
        "J459": 2,
        "G409": 2,
        "L031": 2,
        "N10X": 1.5,
        "K529": 1,
        "E86X": 0.5,
        "E111": 1,
        "E101": 1,
        "J440": 1.5,
        "J441": 1,
        "I209": 1,
        "N739": 0.5,
        "K254": 0.3,
        "D509": 0.3,
        "K088": 0.3,
        "J181": 0.5,
        "J13X": 0.3,
    },
    "older": {
        "J440": 3,
        "J441": 3,
        "I500": 2,
        "I509": 1,
        "I209": 2,
        "L031": 1.5,
        "N10X": 1,
        "E86X": 1,
        "J181": 1,
        "J13X": 0.5,
        "E112": 0.5,
        "E111": 0.5,
        "D509": 0.5,
        "K254": 0.3,
        "I10X": 0.3,
        "G409": 0.5,
        "J459": 0.5,
    },
    "elderly": {
        "J440": 2.5,
        "J441": 2.5,
        "I500": 3,
        "I509": 1.5,
        "J181": 1.5,
        "J13X": 0.7,
        "N10X": 1.2,
        "E86X": 2,
        "L031": 1.5,
        "I209": 1,
        "D509": 0.8,
        "E112": 0.4,
        "K254": 0.4,
        "I10X": 0.3,
        "R02X": 0.2,
        "E43X": 0.1,
    },
}
OTHER_EMERGENCY_MAIN = {
    "infant": {"P599": 3, "J219": 4, "R509": 2, "A099": 2, "R633": 1.5, "R068": 1},
    "child": {"R104": 3, "K358": 1.5, "A099": 2, "R509": 1.5, "J219": 0.5, "R11X": 1, "T781": 0.5, "F329": 0.3},
    "adult": {
        "R074": 4,
        "R104": 3,
        "K358": 1,
        "K802": 1,
        "F100": 1,
        "N390": 1,
        "J189": 1,
        "A419": 0.7,
        "I214": 1,
        "I639": 0.6,
        "K922": 0.6,
        "R55X": 1,
        "K859": 0.5,
        "G439": 0.5,
        "R51X": 0.7,
        "R060": 0.7,
        "I269": 0.4,
        "F329": 0.3,
        "K590": 0.3,
    },
    "older": {
        "R074": 3,
        "J189": 2,
        "I214": 2,
        "I639": 1.5,
        "N390": 1.5,
        "A419": 1.2,
        "I489": 1.5,
        "R104": 1.5,
        "K922": 1,
        "R55X": 1,
        "J22X": 1.5,
        "K802": 0.7,
        "C349": 0.8,
        "K566": 0.5,
        "I269": 0.4,
        "E871": 0.5,
        "R060": 0.7,
    },
    "elderly": {
        "J189": 3,
        "N390": 3,
        "J22X": 2,
        "A419": 1.5,
        "I639": 1.5,
        "I214": 1.5,
        "I489": 1.5,
        "R296": 1.2,
        "F059": 1.2,
        "R55X": 1,
        "R074": 1,
        "E871": 1,
        "K922": 0.8,
        "R410": 0.5,
        "K566": 0.5,
        "C349": 0.5,
        "N179": 1,
    },
}
# Early pregnancy problems (SMR01 gynaecology; births are SMR02): women 16-44.
PREGNANCY_MAIN = {"O200": 3, "O219": 2, "O009": 1, "O039": 1}
PREGNANCY_SHARE = 0.10

# Injuries: (main condition, external cause) pairs for self-harm and transport.
SELF_HARM = {("T391", "X600"): 4, ("T424", "X610"): 2, ("T430", "X610"): 1, ("T509", "X640"): 2, ("S518", "X780"): 1}
TRANSPORT_MAIN = {"S069": 2, "S224": 1.5, "S822": 1, "S420": 1, "S134": 2}
TRANSPORT_CAUSE = {"V435": 4, "V234": 1.5, "V031": 1, "V892": 1}
INJURY_MAIN = {
    "young": {"S525": 1.5, "S422": 0.7, "S060": 1.5, "S099": 1.5, "S524": 0.8, "S826": 0.5, "S010": 1, "T140": 0.5},
    "adult": {
        "S525": 1,
        "S826": 1.5,
        "S060": 1,
        "S099": 1,
        "S628": 0.7,
        "S610": 0.7,
        "S832": 0.5,
        "S422": 0.5,
        "S720": 0.2,
        "S224": 0.5,
        "T140": 0.5,
    },
    "old": {
        "S720": 3,
        "S721": 2,
        "S525": 1.5,
        "S422": 1.2,
        "S325": 1,
        "S060": 0.8,
        "S010": 1,
        "S099": 1,
        "T140": 0.5,
        "S823": 0.5,
    },
}
FALL_CAUSE = {"W010": 3, "W060": 1.5, "W100": 1.5, "W180": 2, "W190": 3, "W050": 0.2, "W110": 0.3, "W130": 0.3}
OTHER_ACCIDENT_CAUSE = {"W220": 2, "W540": 0.7, "X599": 2, "W260": 1, "Y040": 1, "W230": 0.7, "X500": 0.8}
FALL_SHARE = {"young": 0.40, "adult": 0.45, "old": 0.88}  # under 16, 16-64, 65+

ELECTIVE_MAIN = {
    "young": {"J350": 2, "H652": 1, "K409": 1, "N47X": 1, "K358": 0.3},
    "adult": {
        "H259": 3,
        "M171": 2,
        "M161": 1.5,
        "K409": 1.5,
        "K802": 1.2,
        "Z511": 2,
        "C509": 1,
        "C61X": 0.5,
        "K573": 1,
        "N40X": 0.7,
        "K635": 1,
        "I251": 0.7,
        "G560": 0.8,
        "H269": 0.5,
    },
}
COMORBIDITY = {
    "infant": {"J459": 1, "L209": 2, "R629": 0.5, "K590": 0.5},
    "child": {"J459": 3, "L209": 2, "F840": 1, "E109": 0.5, "G409": 0.5, "K590": 0.5, "R629": 0.3},
    "adult": {
        "F171": 3,
        "F329": 2,
        "F419": 1.5,
        "J459": 1.5,
        "E669": 1.5,
        "I10X": 1.5,
        "E119": 1,
        "F102": 1,
        "K219": 1,
        "M545": 0.7,
        "E039": 0.5,
        "E785": 0.7,
        "F112": 0.4,
    },
    "older": {
        "I10X": 4,
        "E119": 2.5,
        "E785": 2,
        "I251": 1.5,
        "J449": 1.5,
        "I489": 1.2,
        "F171": 1.2,
        "N183": 1,
        "K219": 1,
        "M199": 1,
        "E039": 0.8,
        "F329": 0.8,
        "Z950": 0.3,
        "E669": 0.8,
    },
    "elderly": {
        "I10X": 4,
        "I489": 2.5,
        "E119": 2,
        "N183": 2,
        "I251": 1.8,
        "F03X": 2,
        "J449": 1.3,
        "E785": 1.3,
        "M199": 1.2,
        "Z921": 1.5,
        "D649": 1.2,
        "E039": 1,
        "H919": 0.8,
        "G309": 0.6,
        "K219": 0.8,
        "Z950": 0.6,
    },
}
# Mean number of comorbidities recorded, by age (interpolated).
COMORBIDITY_KNOTS = {0: 0.3, 15: 0.5, 40: 1.0, 65: 2.0, 80: 2.8, 90: 3.2}


def age_band(age: np.ndarray) -> np.ndarray:
    return np.select([age < 1, age < 16, age < 65, age < 75], list(BANDS[:4]), BANDS[4])


def _pick(rng: np.random.Generator, weights: dict, n: int) -> np.ndarray:
    keys = list(weights)
    p = np.array(list(weights.values()), dtype=float)
    idx = rng.choice(len(keys), size=n, p=p / p.sum())
    out = np.empty(len(keys), dtype=object)
    out[:] = keys
    return out[idx]


def _fill(rng, out: np.ndarray, mask: np.ndarray, weights: dict) -> None:
    n = int(mask.sum())
    if n:
        out[mask] = _pick(rng, weights, n)


def _sample_without_replacement(rng, pool: dict, n: int, k: int) -> np.ndarray:
    """n rows of k distinct codes from `pool`, weighted (exponential races)."""
    codes = np.array(list(pool), dtype=object)
    w = np.array(list(pool.values()), dtype=float)
    race = rng.exponential(size=(n, len(codes))) / w
    order = np.argsort(race, axis=1, kind="stable")[:, :k]
    out = np.full((n, k), None, dtype=object)
    out[:, : order.shape[1]] = codes[order]
    return out


def draw(
    rng: np.random.Generator, age: np.ndarray, sex: np.ndarray, emergency: np.ndarray, admission_type: np.ndarray
) -> dict[str, np.ndarray]:
    """Diagnoses of n stays: `main_condition` and `other_condition_1`..`_5` (None when unused).

    `sex` is `M`/`F`; `admission_type` is the first episode's SMR01 admission type.
    """
    n = len(age)
    age = np.asarray(age)
    band = age_band(age)
    adm = np.asarray(admission_type).astype(str)
    emergency = np.asarray(emergency, dtype=bool)
    injury = emergency & np.isin(adm, ["31", "32", "33", "34", "35"])
    medical = emergency & ~injury
    main = np.empty(n, dtype=object)
    cause = np.full(n, None, dtype=object)

    # Emergency, not injury: PPA or another common emergency diagnosis.
    ppa = rng.random(n) < pd.Series(band).map(PPA_SHARE).to_numpy(dtype=float)
    pregnancy = medical & (np.asarray(sex) == "F") & (age >= 16) & (age <= 44) & (rng.random(n) < PREGNANCY_SHARE)
    for b in BANDS:
        in_band = medical & (band == b)
        _fill(rng, main, in_band & ppa & ~pregnancy, PPA_MAIN[b])
        _fill(rng, main, in_band & ~ppa & ~pregnancy, OTHER_EMERGENCY_MAIN[b])
    _fill(rng, main, pregnancy, PREGNANCY_MAIN)

    # Injuries with their external cause.
    self_harm = injury & (adm == "31")
    if self_harm.any():
        pairs = list(SELF_HARM)
        idx = rng.choice(
            len(pairs), size=int(self_harm.sum()), p=np.array(list(SELF_HARM.values())) / sum(SELF_HARM.values())
        )
        main[self_harm] = np.array([p[0] for p in pairs], dtype=object)[idx]
        cause[self_harm] = np.array([p[1] for p in pairs], dtype=object)[idx]
    transport = injury & (adm == "32")
    _fill(rng, main, transport, TRANSPORT_MAIN)
    _fill(rng, cause, transport, TRANSPORT_CAUSE)
    accident = injury & ~self_harm & ~transport
    life = np.select([age < 16, age < 65], ["young", "adult"], "old")
    fell = rng.random(n) < pd.Series(life).map(FALL_SHARE).to_numpy(dtype=float)
    for g in ("young", "adult", "old"):
        _fill(rng, main, accident & (life == g), INJURY_MAIN[g])
    _fill(rng, cause, accident & fell, FALL_CAUSE)
    _fill(rng, cause, accident & ~fell, OTHER_ACCIDENT_CAUSE)

    # Planned stays.
    elective = ~emergency
    _fill(rng, main, elective & (age < 16), ELECTIVE_MAIN["young"])
    _fill(rng, main, elective & (age >= 16), ELECTIVE_MAIN["adult"])

    # Comorbidities: k per stay, distinct, never the main condition.
    knots = np.array(sorted(COMORBIDITY_KNOTS))
    mean_k = np.interp(age, knots, [COMORBIDITY_KNOTS[k] for k in knots])
    k = rng.binomial(N_OTHER, np.minimum(mean_k / N_OTHER, 1.0))
    others = np.full((n, N_OTHER), None, dtype=object)
    for b in BANDS:
        rows = np.flatnonzero(band == b)
        if len(rows):
            others[rows] = _sample_without_replacement(rng, COMORBIDITY[b], len(rows), N_OTHER)
    others[np.arange(N_OTHER)[None, :] >= k[:, None]] = None
    others[others == main[:, None]] = None
    # The external cause goes first; then the comorbidities, gaps closed.
    has_cause = np.not_equal(cause, None)
    others = np.where(has_cause[:, None], np.concatenate([cause[:, None], others[:, :-1]], axis=1), others)
    empty = np.equal(others, None)
    order = np.argsort(empty, axis=1, kind="stable")
    others = np.take_along_axis(others, order, axis=1)
    out = {"main_condition": main}
    for i in range(N_OTHER):
        out[f"other_condition_{i + 1}"] = others[:, i]
    return out
