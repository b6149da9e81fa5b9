"""A deterministic, seeded, clearly synthetic delayed discharge census extract.

The restricted delayed discharge records (PHS monthly census; people aged 18+ who
are clinically ready for discharge but still in hospital) cannot leave PHS. This
twin follows docs/contracts/delayed_discharges.md: one row per delay episode and
calendar month in which it has delayed bed days, with the bed days of that month
and whether the person was delayed at that month's census point (the last
Thursday of the month).

* **Who**: adults drawn from the real data-zone populations, far more often at older
  ages (about 64 % of delays are of people aged 75+), a little more often in more
  deprived areas; named as in every twin (transforms.synthetic.common). `age` is
  the age at the ready for discharge date (the start of the delay), as PHS derives
  it, counted as every twin counts age in a year (financial year of the date minus
  birth year; the population tops out at 90, meaning 90 and over); `age_group` is
  derived from it. Delays of people under 18 at their start are left out.
* **How many, how long**: about 58 delays start a day across Scotland. Reasons:
  82 % health and social care, 5 % patient, family and carer related, 13 % code 9
  (6 % Adults with Incapacity, `51X`; 7 % other complex reasons). Lengths are
  lognormal by reason (medians 14, 20, 50 and 30 days), which gives about 1,700
  people delayed at a census point, about 52,000 delayed bed days a month and a
  median delay at the census point of about three weeks.
* **Counting**: a delay starts on the ready for discharge date (`delay_start_date`);
  each night from that date to the night before discharge is one delayed bed day,
  counted in the month of its date. A person is delayed at the census point when
  the ready for discharge date is before the census day and the discharge after it.
  Delays already under way when the period starts are simulated from two years
  before, so the first months are not short.

The reason codes and groups follow the PHS delayed discharge national data
definitions (July 2016) as listed in `REASON_CODES`; the code list here is
**provisional** (written from the published categories, not checked against the
current definitions manual). The rates are invented for plausibility.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from transforms.synthetic.common import (
    ReferenceTables,
    Twin,
    patient_ids,
    population_cells,
)

# Version 2 adds `age` (completed years at the ready for discharge date) and drops the
# few run-in delays of people who were under 18 when they started.
GENERATOR_VERSION = "2"
COLUMNS = [
    "patient_id",
    "census_month",
    "datazone2011",
    "age",
    "age_group",
    "reason_group",
    "reason_code",
    "delay_start_date",
    "bed_days_in_month",
    "delayed_at_census",
]
MIN_AGE = 18  # the census covers people aged 18 and over
AGE_GROUPS = ("18-74", "75+")
REASON_GROUPS = ("health_and_social_care", "patient_family", "code_9")

# Reason codes (provisional; see the module docstring) and their group. Code 9 delays
# are recorded as code 9 with a secondary code; `reason_code` holds the secondary code.
REASON_CODES = {
    "11A": ("health_and_social_care", "awaiting start of post-hospital social care assessment"),
    "11B": ("health_and_social_care", "awaiting completion of post-hospital social care assessment"),
    "23C": ("health_and_social_care", "awaiting funding for a care home place"),
    "23D": ("health_and_social_care", "awaiting funding for another care package"),
    "24A": ("health_and_social_care", "awaiting a place in a local authority residential home"),
    "24B": ("health_and_social_care", "awaiting a place in an independent residential home"),
    "24C": ("health_and_social_care", "awaiting a place in a nursing home"),
    "24D": ("health_and_social_care", "awaiting a place in a specialist facility (younger people)"),
    "24E": ("health_and_social_care", "awaiting a place in a specialist facility (older people)"),
    "24F": ("health_and_social_care", "awaiting a care home place with nursing (dementia)"),
    "25A": ("health_and_social_care", "awaiting completion of care home arrangements"),
    "25D": ("health_and_social_care", "awaiting a care package to go home"),
    "25E": ("health_and_social_care", "awaiting equipment or adaptations to go home"),
    "25F": ("health_and_social_care", "awaiting re-housing"),
    "27A": ("health_and_social_care", "awaiting a place in intermediate care"),
    "44": ("health_and_social_care", "awaiting transport"),
    "51": ("patient_family", "legal or financial reasons"),
    "52": ("patient_family", "disagreement between patient, family and services"),
    "61": ("patient_family", "other patient, family or carer related reason"),
    "67": ("patient_family", "patient or family refusal of a placement"),
    "51X": ("code_9", "Adults with Incapacity Act"),
    "25X": ("code_9", "complex care arrangements to go home"),
    "24DX": ("code_9", "no specialist facility for younger people"),
    "24EX": ("code_9", "no specialist facility for older people"),
    "26X": ("code_9", "care home or facility closed"),
    "46X": ("code_9", "ward closed (infection control)"),
    "71X": ("code_9", "statutory right of choice, interim placement not possible"),
}
# Share of delay episodes by reason code (invented, shaped after the published mix).
REASON_WEIGHTS = {
    "11A": 6,
    "11B": 10,
    "23C": 2,
    "23D": 1,
    "24A": 3,
    "24B": 8,
    "24C": 10,
    "24D": 0.5,
    "24E": 1,
    "24F": 4,
    "25A": 9,
    "25D": 20,
    "25E": 2,
    "25F": 1.5,
    "27A": 3,
    "44": 1,
    "51": 1,
    "52": 1.5,
    "61": 1.5,
    "67": 1,
    "51X": 6,
    "25X": 3,
    "24DX": 0.5,
    "24EX": 0.5,
    "26X": 1,
    "46X": 1,
    "71X": 1,
}
# Lognormal delay length in days: (median, sigma), by group (code 9 split by AWI).
LENGTH = {
    "health_and_social_care": (14, 1.0),
    "patient_family": (20, 1.0),
    "code_9_awi": (50, 0.9),
    "code_9": (30, 1.0),
}
LONGEST_DELAY_DAYS = 3 * 365
DELAYS_PER_DAY = 58.0  # new delays a day across Scotland
# Relative chance of a delay per person by age (18+), interpolated.
AGE_WEIGHT = {18: 1, 44: 1, 45: 4, 64: 4, 65: 15, 74: 15, 75: 45, 84: 45, 85: 110, 90: 110}
SIMD_MULTIPLIER = {1: 1.20, 2: 1.10, 3: 1.00, 4: 0.92, 5: 0.85}
BURN_IN_DAYS = 730


def last_thursday(month_start: np.ndarray) -> np.ndarray:
    """The last Thursday of each month (datetime64[M] in, datetime64[D] out)."""
    next_month = (month_start + 1).astype("datetime64[D]")
    last = next_month - 1
    weekday = (last.astype(np.int64) + 3) % 7  # 0 = Monday
    return last - ((weekday - 3) % 7)


def _financial_year(days: np.ndarray) -> np.ndarray:
    """Financial year (starting calendar year) of dates given as days since 1970-01-01."""
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return months // 12 + 1970 - (months % 12 < 3)


def _delays(
    ref: ReferenceTables,
    fy: int,
    first: np.datetime64,
    last: np.datetime64,
    rng: np.random.Generator,
    datazones: pd.Index,
    scale: float,
) -> dict[str, np.ndarray]:
    """Delays starting on days first..last (inclusive), drawn from the people of `fy`."""
    cells = population_cells(ref, fy)
    cells = cells[cells["age"] >= MIN_AGE]
    age = cells["age"].to_numpy()
    knots = np.array(sorted(AGE_WEIGHT))
    w = (
        cells["population"].to_numpy()
        * np.interp(age, knots, [AGE_WEIGHT[k] for k in knots])
        * cells["simd2020v2_sc_quintile"].map(SIMD_MULTIPLIER).to_numpy()
    )
    n_days = int((last - first).astype(int)) + 1
    lam = w / w.sum() * DELAYS_PER_DAY * n_days * scale
    rows = np.repeat(np.arange(len(cells)), rng.poisson(lam))
    n = len(rows)
    start = first + rng.integers(0, n_days, n).astype("timedelta64[D]")
    codes = np.array(list(REASON_WEIGHTS), dtype=object)
    p = np.array(list(REASON_WEIGHTS.values()), dtype=float)
    code = codes[rng.choice(len(codes), size=n, p=p / p.sum())]
    group = pd.Series(code).map({c: g for c, (g, _) in REASON_CODES.items()}).to_numpy(dtype=object)
    kind = np.where(code == "51X", "code_9_awi", group)
    median = pd.Series(kind).map({k: v[0] for k, v in LENGTH.items()}).to_numpy(dtype=float)
    sigma = pd.Series(kind).map({k: v[1] for k, v in LENGTH.items()}).to_numpy(dtype=float)
    length = np.clip(np.ceil(median * np.exp(sigma * rng.standard_normal(n))), 1, LONGEST_DELAY_DAYS)
    pool = np.maximum(1, np.round(cells["population"].to_numpy()[rows])).astype(np.int64)
    person = (rng.random(n) * pool).astype(np.int64)
    c_dz = datazones.get_indexer(cells["datazone2011"])
    c_male = (cells["sex"] == "M").to_numpy()
    return {
        "dz": c_dz[rows],
        "male": c_male[rows],
        "age": age[rows],
        "birth": fy - age[rows],
        "person": person,
        "code": code,
        "group": group,
        "start": start.astype("datetime64[D]").astype(np.int64),
        "length": length.astype(np.int64),
    }


def generate(ref: ReferenceTables, financial_years: list[int], seed: int, *, scale: float = 1.0) -> pd.DataFrame:
    """Every delay episode-month with delayed bed days in the given financial years.

    `scale` multiplies the expected delays of every cell (1: the modelled numbers).
    """
    rng = np.random.default_rng([seed, 2])
    datazones = pd.Index(np.sort(ref.geography["datazone2011"].to_numpy(dtype=object)))
    first_fy = financial_years[0]
    period_start = np.datetime64(f"{first_fy}-04-01")
    period_end = np.datetime64(f"{financial_years[-1] + 1}-04-01")  # exclusive
    parts = [_delays(ref, first_fy, period_start - BURN_IN_DAYS, period_start - 1, rng, datazones, scale)]
    parts += [
        _delays(ref, fy, np.datetime64(f"{fy}-04-01"), np.datetime64(f"{fy + 1}-03-31"), rng, datazones, scale)
        for fy in financial_years
    ]
    d = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    # Age at the ready for discharge date, as every twin counts age in a year (financial
    # year minus birth year). Run-in delays are drawn from the people of the first year,
    # so they are up to two years younger at their start; PHS leaves out people under
    # 18 (Public-Health-Scotland/delayed-discharges-monthly, code/02_create-scotland-file.R).
    d["age"] = _financial_year(d["start"]) - d["birth"]
    adult = d["age"] >= MIN_AGE
    d = {k: v[adult] for k, v in d.items()}
    d["end"] = d["start"] + d["length"]  # discharge date (exclusive end of the delayed nights)

    # One synthetic person cannot be delayed twice at once: drop a delay that starts
    # before the person's previous (kept) delay has ended.
    pid = np.asarray(
        patient_ids(seed, datazones.to_numpy()[d["dz"]], np.where(d["male"], "M", "F"), d["birth"], d["person"]),
        dtype=object,
    )
    order = np.lexsort((d["start"], pid))
    pid_s = pid[order]
    repeated = np.flatnonzero(np.concatenate([[False], pid_s[1:] == pid_s[:-1]]))
    drop = []
    kept_end = {}
    for i in repeated:  # few: people with more than one delay
        key = pid_s[i]
        prev_end = kept_end.get(key, d["end"][order[i - 1]])
        if d["start"][order[i]] < prev_end:
            drop.append(order[i])
            kept_end[key] = prev_end
        else:
            kept_end[key] = d["end"][order[i]]
    keep = np.ones(len(pid), dtype=bool)
    keep[drop] = False
    d = {k: v[keep] for k, v in d.items()}
    pid = pid[keep]

    # Expand to calendar months inside the period, with the nights of each month.
    p0 = period_start.astype("datetime64[M]").astype(np.int64)
    p1 = period_end.astype("datetime64[M]").astype(np.int64)  # exclusive
    m_first = np.maximum(d["start"].astype("datetime64[D]").astype("datetime64[M]").astype(np.int64), p0)
    m_last = np.minimum((d["end"] - 1).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64), p1 - 1)
    count = np.maximum(m_last - m_first + 1, 0)
    ep = np.repeat(np.arange(len(count)), count)
    month = m_first[ep] + (np.arange(len(ep)) - np.repeat(np.cumsum(count) - count, count))
    month_start = month.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    next_start = (month + 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    nights = np.minimum(d["end"][ep], next_start) - np.maximum(d["start"][ep], month_start)
    census = last_thursday(month.astype("datetime64[M]")).astype(np.int64)
    at_census = (d["start"][ep] < census) & (d["end"][ep] > census)
    ok = nights > 0
    ep, month, nights, at_census = ep[ok], month[ok], nights[ok], at_census[ok]

    census_month = month.astype("datetime64[M]").astype(str)
    table = pa.table(
        {
            "patient_id": pa.array(pid[ep], type=pa.string()),
            "census_month": pa.array(census_month.astype(object), type=pa.string()),
            "datazone2011": pa.array(datazones.to_numpy()[d["dz"][ep]], type=pa.string()),
            "age": pa.array(d["age"][ep].astype(np.int16)),
            "age_group": pa.array(np.where(d["age"][ep] >= 75, "75+", "18-74").astype(object), type=pa.string()),
            "reason_group": pa.array(d["group"][ep], type=pa.string()),
            "reason_code": pa.array(d["code"][ep], type=pa.string()),
            "delay_start_date": pa.array(d["start"][ep].astype("datetime64[D]"), type=pa.date32()),
            "bed_days_in_month": pa.array(nights.astype(np.int16)),
            "delayed_at_census": pa.array(at_census.astype(np.int8)),
        }
    )
    frame = table.to_pandas(date_as_object=False)
    frame["delay_start_date"] = frame["delay_start_date"].astype("datetime64[s]")
    return frame.sort_values(["census_month", "patient_id", "delay_start_date"]).reset_index(drop=True)


TWIN = Twin("delayed_discharges", "transforms.synthetic.delayed_discharges", GENERATOR_VERSION)
write_extract = TWIN.write_extract
extract_file_name = TWIN.extract_file_name
