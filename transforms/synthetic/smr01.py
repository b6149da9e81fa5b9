"""A deterministic, seeded, clearly synthetic SMR01-like episode extract.

The restricted SMR01 extract (one row per inpatient episode, keyed by the data zone
of residence) cannot leave PHS. This twin follows the same contract
(docs/contracts/smr01_episodes.md) over the real data-zone populations, so the
pipeline, demo, tests and benchmarks exercise realistic volumes and geography.
Rates are plausible, not real: about 100 emergency admissions per 1,000 people a
year, rising steeply after 65, and higher in more deprived data zones. Diagnoses
(main condition and up to five other conditions, ICD-10) come from
transforms.synthetic.diagnoses: plausible by age, with falls among the injuries of
older people and potentially preventable admissions among emergency stays.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from transforms.synthetic import diagnoses
from transforms.synthetic.common import (  # noqa: F401  (ReferenceTables, expected_population: public here)
    SIMD_MULTIPLIER,
    ReferenceTables,
    Twin,
    choice,
    expected_population,
    person_keys,
    pseudonym,
)

# Bump when the generator changes what it writes, so cached extracts are regenerated.
# 2: main_condition and other_condition_1..5 (ICD-10).
GENERATOR_VERSION = "2"

# Emergency stays per 1,000 person-years at these ages, interpolated between them.
# Shaped after the published pattern (high in infancy, lowest in childhood, steep
# after 65); the values are invented for the synthetic twin.
EMERGENCY_RATE_KNOTS = {0: 150, 1: 60, 5: 26, 15: 35, 25: 43, 45: 56, 55: 74, 65: 122, 75: 218, 85: 365, 90: 450}
ELECTIVE_PER_EMERGENCY = 0.35
EMERGENCY_TYPES = {
    "20": 5,
    "21": 3,
    "22": 2,
    "30": 20,
    "31": 2,
    "32": 3,
    "33": 6,
    "34": 3,
    "35": 2,
    "36": 30,
    "38": 20,
    "39": 4,
}
ELECTIVE_TYPES = {"10": 40, "11": 35, "12": 20, "19": 5}
TRANSFER_TYPE = "18"
SPECIALTIES = {"A1": 45, "AB": 20, "C1": 15, "C8": 10, "A2": 5, "AG": 5}
DIAGNOSIS_COLUMNS = ["main_condition"] + [f"other_condition_{i}" for i in range(1, diagnoses.N_OTHER + 1)]
COLUMNS = [
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
    *DIAGNOSIS_COLUMNS,
]
_choice = choice
_pseudonym = pseudonym


def emergency_rate_per_person(age: np.ndarray, sex: np.ndarray) -> np.ndarray:
    knots = np.array(sorted(EMERGENCY_RATE_KNOTS))
    rate = np.interp(age, knots, [EMERGENCY_RATE_KNOTS[k] for k in knots]) / 1000.0
    # Women of child-bearing age are admitted more, older men a little more.
    rate = np.where((sex == "F") & (age >= 16) & (age <= 44), rate * 1.25, rate)
    return np.where((sex == "M") & (age >= 45), rate * 1.08, rate)


def _stays_for_year(ref: ReferenceTables, fy: int, rng: np.random.Generator, scale: float) -> pd.DataFrame:
    pop = expected_population(ref, fy).merge(ref.simd[["datazone2011", "simd2020v2_sc_quintile"]], on="datazone2011")
    ages, sexes = pop["age"].to_numpy(), pop["sex"].to_numpy()
    lam_em = (
        pop["population"].to_numpy()
        * emergency_rate_per_person(ages, sexes)
        * pop["simd2020v2_sc_quintile"].map(SIMD_MULTIPLIER).to_numpy()
    ) * scale
    lam_el = pop["population"].to_numpy() * emergency_rate_per_person(ages, sexes) * ELECTIVE_PER_EMERGENCY * scale
    n_em, n_el = rng.poisson(lam_em), rng.poisson(lam_el)
    idx = np.concatenate([np.repeat(np.arange(len(pop)), n_em), np.repeat(np.arange(len(pop)), n_el)])
    emergency = np.concatenate([np.ones(n_em.sum(), bool), np.zeros(n_el.sum(), bool)])
    stays = pop.iloc[idx][["datazone2011", "sex", "age", "population"]].reset_index(drop=True)
    n = len(stays)
    # Winter pressure: December-March about 15% busier than the rest of the year.
    start = np.datetime64(f"{fy}-04-01")
    days = np.arange((np.datetime64(f"{fy + 1}-04-01") - start).astype(int))
    month = (start + days).astype("datetime64[M]").astype(int) % 12 + 1
    w = np.where(np.isin(month, [12, 1, 2, 3]), 1.15, 1.0)
    stays["admission_date"] = start + rng.choice(days, size=n, p=w / w.sum())
    stays["emergency"] = emergency
    # People with several stays: draw each stay's person from the cell's population.
    pool = np.maximum(1, np.round(stays["population"].to_numpy())).astype(np.int64)
    person = (rng.random(n) * pool).astype(np.int64)
    birth = fy - stays["age"].to_numpy()
    keys = person_keys(stays["datazone2011"], stays["sex"], birth, person)
    stays["patient_key"] = keys.to_numpy(zero_copy_only=False)
    mean_los = np.where(emergency, 1.5 + stays["age"].to_numpy() / 9.0, 2.0)
    stays["los"] = rng.geometric(1.0 / (mean_los + 1.0)) - 1
    stays["episodes"] = 1 + rng.binomial(2, np.where(stays["age"] >= 75, 0.12, 0.05))
    stays["fy"] = fy
    return stays.drop(columns="population")


def _episodes(stays: pd.DataFrame, rng: np.random.Generator, seed: int) -> pd.DataFrame:
    stays = stays.reset_index(drop=True)
    stays["cis_id"] = _pseudonym(seed, stays["fy"].astype(str) + "|" + stays.index.astype(str), "S")
    ep = stays.loc[stays.index.repeat(stays["episodes"])].copy()
    ep["episode_number"] = ep.groupby(level=0).cumcount() + 1
    # Split the stay's length across its episodes; the last episode takes the rest.
    frac = rng.random(len(ep))
    first = np.floor(ep["los"].to_numpy() * np.where(ep["episodes"] == 1, 1.0, frac)).astype(int)
    cum_before = np.where(ep["episode_number"] == 1, 0, first)
    offset = np.where(ep["episode_number"] == 1, 0, cum_before)
    ep_los = np.where(
        ep["episode_number"] == ep["episodes"],
        ep["los"].to_numpy() - offset,
        np.where(ep["episode_number"] == 1, first, 0),
    )
    ep["admission_date"] = ep["admission_date"].to_numpy() + offset.astype("timedelta64[D]")
    ep["length_of_stay"] = ep_los
    ep["discharge_date"] = ep["admission_date"].to_numpy() + ep_los.astype("timedelta64[D]")
    first_ep = ep["episode_number"].to_numpy() == 1
    adm_type = np.where(ep["emergency"], _choice(rng, EMERGENCY_TYPES, len(ep)), _choice(rng, ELECTIVE_TYPES, len(ep)))
    ep["admission_type"] = np.where(first_ep, adm_type, TRANSFER_TYPE)
    spec = _choice(rng, SPECIALTIES, len(ep))
    ep["specialty"] = np.where((spec == "AB") & (ep["age"] < 65), "A1", spec)
    ep["patient_id"] = _pseudonym(seed, ep["patient_key"], "P")
    # Diagnoses are drawn per stay (from its first episode) and carried by every episode.
    first_rows = ep[first_ep]
    dx = diagnoses.draw(
        rng,
        first_rows["age"].to_numpy(),
        first_rows["sex"].to_numpy(),
        first_rows["emergency"].to_numpy(),
        ep["admission_type"].to_numpy()[first_ep],
    )
    stay_of_episode = ep.index.to_numpy()
    return pd.DataFrame(
        {
            "patient_id": ep["patient_id"],
            "cis_id": ep["cis_id"],
            "episode_number": ep["episode_number"].astype("int16"),
            "admission_date": ep["admission_date"].to_numpy().astype("datetime64[D]"),
            "discharge_date": ep["discharge_date"].to_numpy().astype("datetime64[D]"),
            "admission_type": ep["admission_type"],
            "age_at_admission": ep["age"].astype("int16"),
            "sex": np.where(ep["sex"] == "M", "1", "2"),
            "datazone2011": ep["datazone2011"],
            "specialty": ep["specialty"],
            "length_of_stay": ep["length_of_stay"].astype("int32"),
            **{c: pd.array(dx[c][stay_of_episode], dtype="str") for c in DIAGNOSIS_COLUMNS},
        }
    )[COLUMNS]


def generate(ref: ReferenceTables, financial_years: list[int], seed: int, *, scale: float = 1.0) -> pd.DataFrame:
    """All episodes for stays admitted in the given financial years (2019 = 2019/20).

    `scale` multiplies the expected stays of every cell (1: the modelled rates).
    """
    rng = np.random.default_rng(seed)
    stays = pd.concat([_stays_for_year(ref, fy, rng, scale) for fy in financial_years], ignore_index=True)
    episodes = _episodes(stays, rng, seed)
    return episodes.sort_values(["admission_date", "cis_id", "episode_number"]).reset_index(drop=True)


TWIN = Twin("smr01_episodes", "transforms.synthetic.smr01", GENERATOR_VERSION)
write_extract = TWIN.write_extract
extract_file_name = TWIN.extract_file_name
