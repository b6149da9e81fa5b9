"""A deterministic, seeded, clearly synthetic A&E attendances extract (record level).

The restricted A&E datamart extract (one row per attendance at an Emergency
Department or Minor Injury Unit) cannot leave PHS. This twin follows
docs/contracts/ae_attendances.md over the real data-zone populations and the real
A&E sites (reference/ae_sites.csv, transforms.reference.ae_sites):

* **Volume**: each resident's board's attendances in the financial year equal the
  published attendances at that board's sites (about 281 per 1,000 people in
  2022/23); within a board an invented age-sex profile (high in infancy, young
  adults and at 85+) and SIMD gradient (1.45 in the most deprived quintile to 0.72
  in the least) share them out.
* **Site**: a site of the resident's board, in proportion to its published
  attendances that year (2 % go to a site anywhere in Scotland).
* **Arrival**: busier in late spring and summer and on Mondays, by hour of day.
* **Four hours**: each site meets the 4-hour standard as often as it did that year
  (69 % of attendances in Scotland in 2022/23), less often in winter and for people
  aged 75+, more often for children and planned returns.
* **Repeat attenders**: 3 % of each cell's people make 30 % of its new
  attendances, so about 6 % of attenders come 3 or more times a year;
  3.5 % of new attendances are followed by an unplanned return within 7 days and
  4 % by a planned return within 14 days, at the same site.

People are named as in every twin (transforms.synthetic.common): the same seed
gives the same patient_id to the same synthetic person in SMR01. The rates are
invented for plausibility, except the site volumes and 4-hour performance, which
are the published aggregates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from transforms.synthetic.common import (
    ReferenceTables,
    Twin,
    financial_year_days,
    hex_ids,
    patient_ids,
    population_cells,
)

GENERATOR_VERSION = "1"
COLUMNS = [
    "patient_id",
    "attendance_id",
    "arrival_datetime",
    "discharge_datetime",
    "site_code",
    "department_type",
    "age",
    "sex",
    "datazone2011",
    "attendance_category",
]
CATEGORIES = ("new", "unplanned_return", "planned_return")
DEPARTMENT_TYPES = ("ED", "MIU")

# Relative attendances per 1,000 person-years by age (interpolated); scaled per board.
RATE_KNOTS = {
    0: 520,
    1: 360,
    4: 250,
    10: 190,
    15: 260,
    18: 360,
    22: 380,
    30: 320,
    40: 260,
    50: 230,
    60: 220,
    70: 250,
    80: 380,
    85: 540,
    90: 700,
}
SIMD_MULTIPLIER = {1: 1.45, 2: 1.20, 3: 1.00, 4: 0.85, 5: 0.72}
MALE_MULTIPLIER_1_TO_40 = 1.10
MONTH_WEIGHT = {
    4: 1.00,
    5: 1.08,
    6: 1.06,
    7: 1.02,
    8: 1.05,
    9: 1.02,
    10: 1.00,
    11: 0.97,
    12: 0.98,
    1: 0.90,
    2: 0.94,
    3: 0.98,
}
WEEKDAY_WEIGHT = (1.12, 1.00, 0.98, 0.98, 1.00, 0.95, 0.97)  # Monday .. Sunday
HOUR_WEIGHT = (
    2.0,
    1.6,
    1.3,
    1.1,
    1.0,
    1.1,
    1.6,
    2.6,
    4.0,
    5.2,
    5.8,
    5.9,
    5.7,
    5.6,
    5.5,
    5.4,
    5.4,
    5.3,
    5.2,
    5.0,
    4.6,
    4.0,
    3.3,
    2.6,
)
UNPLANNED_RETURN_SHARE = 0.035
PLANNED_RETURN_SHARE = 0.04
FREQUENT_SHARE_OF_PEOPLE = 0.03
FREQUENT_SHARE_OF_ATTENDANCES = 0.30
OUT_OF_BOARD_SHARE = 0.02
# Four-hour performance: log-odds shifts around each site's published yearly share.
SEASON_SHIFT = {11: -0.10, 12: -0.35, 1: -0.30, 2: -0.20, 3: -0.20, 5: 0.15, 6: 0.15, 7: 0.10}
AGE_SHIFT_CHILD, AGE_SHIFT_75_PLUS, PLANNED_RETURN_SHIFT = 0.6, -0.5, 1.0
FOUR_HOURS = 240  # minutes; within the standard when discharge - arrival <= 240 minutes
MEAN_MINUTES_OVER_FOUR_HOURS = 210
LONGEST_STAY_MINUTES = 48 * 60


def attendance_rate(age: np.ndarray, sex: np.ndarray, quintile: np.ndarray) -> np.ndarray:
    """Relative attendances per person-year (before the board calibration)."""
    knots = np.array(sorted(RATE_KNOTS))
    rate = np.interp(age, knots, [RATE_KNOTS[k] for k in knots]) / 1000.0
    rate = np.where((sex == "M") & (age >= 1) & (age <= 40), rate * MALE_MULTIPLIER_1_TO_40, rate)
    return rate * pd.Series(quintile).map(SIMD_MULTIPLIER).to_numpy()


def sites_for_year(sites: pd.DataFrame, fy: int) -> pd.DataFrame:
    """The sites open in `fy`, or in the nearest year the reference covers (original index kept)."""
    years = np.sort(sites["financial_year"].unique())
    nearest = int(years[np.argmin(np.abs(years - fy))])
    return sites[sites["financial_year"] == nearest]


def opaque_ids(seed: int, counter: np.ndarray) -> np.ndarray:
    """Unique, meaningless 64-bit ids: a keyed bijection (splitmix64 finaliser) of a counter."""
    key = np.uint64(int.from_bytes(np.random.default_rng([seed, 7]).bytes(8), "little"))
    x = np.asarray(counter, dtype=np.uint64) ^ key
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        x = x ^ (x >> np.uint64(31))
    return x


def _logit(p):
    return np.log(p / (1 - p))


def _within_four_hours(rng, target: np.ndarray, shift: np.ndarray, unit: np.ndarray) -> np.ndarray:
    """Bernoulli draws whose mean in each unit (site) equals its target share."""
    base = _logit(np.clip(target, 0.02, 0.998)) + shift
    offset = np.zeros(unit.max() + 1)
    counts = np.bincount(unit, minlength=len(offset))
    goal = np.bincount(unit, weights=np.clip(target, 0.02, 0.998), minlength=len(offset))
    for _ in range(8):  # Newton steps on each unit's offset
        p = 1 / (1 + np.exp(-(base + offset[unit])))
        f = np.bincount(unit, weights=p, minlength=len(offset)) - goal
        df = np.bincount(unit, weights=p * (1 - p), minlength=len(offset))
        offset -= np.where(counts > 0, f / np.maximum(df, 1e-9), 0)
    p = 1 / (1 + np.exp(-(base + offset[unit])))
    return rng.random(len(p)) < p


def _attendances_for_year(
    ref: ReferenceTables, all_sites: pd.DataFrame, fy: int, rng: np.random.Generator, datazones: pd.Index, scale: float
) -> dict[str, np.ndarray]:
    cells = population_cells(ref, fy)
    sites = sites_for_year(all_sites, fy)
    c_age = cells["age"].to_numpy()
    c_male = (cells["sex"] == "M").to_numpy()
    rate = attendance_rate(c_age, np.where(c_male, "M", "F"), cells["simd2020v2_sc_quintile"].to_numpy())
    raw = cells["population"].to_numpy() * rate
    # Calibrate each board's residents to its sites' published attendances.
    boards, c_board = np.unique(cells["hb2019"].to_numpy(dtype=object), return_inverse=True)
    per_board = sites.groupby("hb2019")["attendances"].sum().reindex(boards).fillna(0).to_numpy()
    raw_board = np.bincount(c_board, weights=raw, minlength=len(boards))
    returns = 1 + UNPLANNED_RETURN_SHARE + PLANNED_RETURN_SHARE
    lam = raw * (per_board / raw_board / returns)[c_board] * scale
    n = rng.poisson(lam)
    rows = np.repeat(np.arange(len(cells)), n)
    total = len(rows)

    # People: a few frequent attenders in each cell make a quarter of its attendances.
    pool = np.maximum(1, np.round(cells["population"].to_numpy()[rows])).astype(np.int64)
    frequent_pool = np.maximum(1, np.ceil(pool * FREQUENT_SHARE_OF_PEOPLE)).astype(np.int64)
    frequent = rng.random(total) < FREQUENT_SHARE_OF_ATTENDANCES
    person = (rng.random(total) * np.where(frequent, frequent_pool, pool)).astype(np.int64)

    # Site: one of the board's, by volume, or (rarely) anywhere in Scotland.
    unit = np.empty(total, dtype=np.int64)
    board = c_board[rows]
    site_board = np.searchsorted(boards, sites["hb2019"].to_numpy(dtype=object))
    w_all = sites["attendances"].to_numpy(dtype=float)
    for b in range(len(boards)):
        where = np.flatnonzero(board == b)
        mine = np.flatnonzero(site_board == b)
        if len(where) and len(mine):
            w = w_all[mine]
            unit[where] = sites.index.to_numpy()[mine][rng.choice(len(mine), size=len(where), p=w / w.sum())]
    away = rng.random(total) < OUT_OF_BOARD_SHARE
    unit[away] = sites.index.to_numpy()[rng.choice(len(sites), size=int(away.sum()), p=w_all / w_all.sum())]

    # Arrival: day by month and weekday, minute by hour of day.
    start, days, month = financial_year_days(fy)
    weekday = ((start + days).astype("datetime64[D]").astype(np.int64) + 3) % 7  # 0 = Monday
    wd = np.array([MONTH_WEIGHT[m] for m in month]) * np.array(WEEKDAY_WEIGHT)[weekday]
    day = rng.choice(days, size=total, p=wd / wd.sum())
    hw = np.array(HOUR_WEIGHT) / sum(HOUR_WEIGHT)
    arrival = day.astype(np.int64) * 1440 + rng.choice(24, size=total, p=hw) * 60 + rng.integers(0, 60, total)

    # Returns to the same site: unplanned within 7 days, planned (daytime) within 14.
    u = rng.random(total)
    unplanned = np.flatnonzero(u < UNPLANNED_RETURN_SHARE)
    planned = np.flatnonzero((u >= UNPLANNED_RETURN_SHARE) & (u < UNPLANNED_RETURN_SHARE + PLANNED_RETURN_SHARE))
    gap = np.minimum(rng.geometric(0.35, len(unplanned)), 7)
    later_u = (
        (arrival[unplanned] // 1440 + gap) * 1440
        + rng.choice(24, size=len(unplanned), p=hw) * 60
        + rng.integers(0, 60, len(unplanned))
    )
    later_p = (arrival[planned] // 1440 + rng.integers(1, 15, len(planned))) * 1440 + rng.integers(
        9 * 60, 16 * 60, len(planned)
    )
    source = np.concatenate([np.arange(total), unplanned, planned])
    arrival = np.concatenate([arrival, later_u, later_p])
    category = np.concatenate(
        [np.zeros(total, np.int8), np.ones(len(unplanned), np.int8), np.full(len(planned), 2, np.int8)]
    )
    keep = arrival < len(days) * 1440  # returns after the year's end are not in this year's extract
    source, arrival, category = source[keep], arrival[keep], category[keep]
    cell, person, unit = rows[source], person[source], unit[source]

    # Four hours, then how long.
    dept = all_sites["department_type"].to_numpy(dtype=object)[unit]
    target = (all_sites["within_4_hours"] / all_sites["attendances"]).to_numpy()[unit]
    arr_month = (start + arrival // 1440).astype("datetime64[M]").astype(np.int64) % 12 + 1
    age = c_age[cell]
    season = np.array([SEASON_SHIFT.get(m, 0.0) for m in range(13)])
    shift = (
        season[arr_month]
        + np.where(age < 16, AGE_SHIFT_CHILD, 0.0)
        + np.where(age >= 75, AGE_SHIFT_75_PLUS, 0.0)
        + np.where(category == 2, PLANNED_RETURN_SHIFT, 0.0)
    )
    within = _within_four_hours(rng, target, shift, unit)
    m = len(cell)
    quick = np.where(dept == "ED", rng.beta(2.2, 1.6, m), rng.beta(1.4, 4.0, m))
    minutes_within = np.clip(np.round(quick * FOUR_HOURS), 5, FOUR_HOURS - 1)
    minutes_over = np.minimum(
        FOUR_HOURS + 1 + np.floor(rng.exponential(MEAN_MINUTES_OVER_FOUR_HOURS, m)), LONGEST_STAY_MINUTES
    )
    duration = np.where(within, minutes_within, minutes_over).astype(np.int64)

    origin = start.astype("datetime64[s]").astype(np.int64)
    c_dz = datazones.get_indexer(cells["datazone2011"])
    return {
        "dz": c_dz[cell],
        "male": c_male[cell],
        "age": age,
        "birth": fy - age,
        "person": person,
        "unit": unit,
        "arrival": origin + arrival * 60,
        "discharge": origin + (arrival + duration) * 60,
        "category": category,
        "fy": np.full(m, fy, dtype=np.int64),
    }


def generate(ref: ReferenceTables, financial_years: list[int], seed: int, *, scale: float = 1.0) -> pd.DataFrame:
    """Every attendance arriving in the given financial years (2022 = 2022/23).

    `scale` multiplies the expected attendances of every cell (1: calibrated to the sites).
    """
    if ref.ae_sites is None:
        raise ValueError("the A&E twin needs reference/ae_sites.csv (transforms.reference.ae_sites)")
    rng = np.random.default_rng([seed, 1])
    sites = ref.ae_sites.reset_index(drop=True)  # a site is its row number from here on
    datazones = pd.Index(np.sort(ref.geography["datazone2011"].to_numpy(dtype=object)))
    parts = [_attendances_for_year(ref, sites, fy, rng, datazones, scale) for fy in financial_years]
    a = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    counter = (a["fy"].astype(np.uint64) << np.uint64(32)) + np.arange(len(a["fy"]), dtype=np.uint64)
    ids = opaque_ids(seed, counter)
    order = np.lexsort((ids, a["arrival"]))
    a = {k: v[order] for k, v in a.items()}
    ids = ids[order]
    dz_text = pa.array(datazones.to_numpy()).take(pa.array(a["dz"]))
    sex_letter = pa.array(["F", "M"]).take(pa.array(a["male"].astype(np.int8)))
    table = pa.table(
        {
            "patient_id": pa.array(patient_ids(seed, dz_text, sex_letter, a["birth"], a["person"])),
            "attendance_id": pa.array(hex_ids("A", ids)),
            "arrival_datetime": pa.array(a["arrival"].astype("datetime64[s]")),
            "discharge_datetime": pa.array(a["discharge"].astype("datetime64[s]")),
            "site_code": pa.array(sites["site_code"].to_numpy(dtype=object)).take(pa.array(a["unit"])),
            "department_type": pa.array(sites["department_type"].to_numpy(dtype=object)).take(pa.array(a["unit"])),
            "age": pa.array(a["age"].astype(np.int16)),
            "sex": pa.array(["2", "1"]).take(pa.array(a["male"].astype(np.int8))),
            "datazone2011": dz_text,
            "attendance_category": pa.array(list(CATEGORIES)).take(pa.array(a["category"])),
        },
        schema=SCHEMA,
    )
    return table.to_pandas()


SCHEMA = pa.schema(
    [
        ("patient_id", pa.string()),
        ("attendance_id", pa.string()),
        ("arrival_datetime", pa.timestamp("s")),
        ("discharge_datetime", pa.timestamp("s")),
        ("site_code", pa.string()),
        ("department_type", pa.string()),
        ("age", pa.int16()),
        ("sex", pa.string()),
        ("datazone2011", pa.string()),
        ("attendance_category", pa.string()),
    ]
)


TWIN = Twin("ae_attendances", "transforms.synthetic.ae_attendances", GENERATOR_VERSION, schema=SCHEMA)
write_extract = TWIN.write_extract
extract_file_name = TWIN.extract_file_name
