"""A deterministic, seeded, clearly synthetic deaths extract (NRS death registrations).

The restricted deaths extract (one row per death, linked to hospital records by a
pseudonymous person id) cannot leave PHS. This twin follows
docs/contracts/deaths.md over the real data-zone populations, and is **made from
the other twins** so that the indicators that link deaths to hospital activity
(NI-15: share of the last six months of life spent at home or in a community
setting) have something real to link:

1. **Decedents with hospital stays.** Each patient of the synthetic SMR01 extract
   may die after their last discharge, with a probability rising steeply with their
   age at that stay (0.2 % under 45 to 18 % at 90+), lower after an elective stay
   and higher after a long one (scaled up for the early years of a several-year
   extract, where fewer last stays fall). 78 % of these deaths are in hospital, on
   the discharge date of the last episode; the others are at home, in a care home
   or elsewhere some weeks later (exponential, mean 60 days). A patient seen in the
   A&E or delayed discharge twin after that stay dies after the last of it instead,
   never in hospital, and the patients who are not take over those in-hospital
   deaths (within each year and age band), so nobody has activity in any twin after
   their death and hospital deaths keep their share.
2. **Decedents without.** Expected deaths in each cell (data zone x sex x age) are
   its population times an age-sex death rate (about 11 per 1,000 a year overall,
   mostly at 75+) times a SIMD multiplier (1.45 in the most deprived quintile to
   0.72 in the least). In each age band and sex, the deaths already made in step 1
   are taken off, and the rest are drawn as people not seen in any twin after their
   death (each candidate's id is looked up in every twin given; up to six candidates
   are tried), dying at home, in a care home or elsewhere.

Death dates lie in the financial years asked for (deaths after the period are not
in the extract); winter (December to March) has about 15 % more deaths. Age at
death is the financial year of death minus the person's birth year (`common`).
The rates are invented for plausibility; they are not estimates of real mortality.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from transforms.synthetic.common import (
    ReferenceTables,
    Twin,
    financial_year_days,
    patient_ids,
    population_cells,
    sex_code,
)

GENERATOR_VERSION = "1"
COLUMNS = ["patient_id", "date_of_death", "age", "sex", "datazone2011", "place_of_death"]
PLACES = ("hospital", "home", "care_home", "other")

# Deaths per 1,000 person-years by age (both sexes, interpolated); invented, Scotland-shaped.
DEATH_RATE_KNOTS = {
    0: 3.5,
    1: 0.15,
    5: 0.08,
    15: 0.25,
    25: 0.6,
    35: 1.0,
    45: 2.2,
    55: 5.0,
    65: 12.0,
    75: 31.0,
    85: 95.0,
    90: 210.0,
}
SEX_MULTIPLIER = {"M": 1.18, "F": 0.86}
SIMD_MULTIPLIER = {1: 1.45, 2: 1.20, 3: 1.00, 4: 0.85, 5: 0.72}
WINTER_EXCESS = 1.15  # December to March
AGE_BANDS = (0, 1, 15, 45, 65, 75, 85)  # lower bounds, for taking linked deaths off
# Chance that an SMR01 patient dies after their last stay, by age at that stay.
AFTER_STAY_KNOTS = {0: 0.002, 45: 0.003, 55: 0.008, 65: 0.027, 75: 0.06, 85: 0.12, 90: 0.18}
ELECTIVE_FACTOR = 0.3
LONG_STAY_DAYS = 10.0  # the chance grows with the last stay's length: 1 + days / 10, up to 4 times
LONG_STAY_CAP = 4.0
DIED_IN_HOSPITAL = 0.78
MEAN_DAYS_TO_DEATH_AFTER_DISCHARGE = 60.0
# Place of death outside hospital, by age band.
COMMUNITY_PLACES = {
    "under_65": {"home": 0.78, "care_home": 0.05, "other": 0.17},
    "65_84": {"home": 0.60, "care_home": 0.32, "other": 0.08},
    "85_plus": {"home": 0.33, "care_home": 0.62, "other": 0.05},
}
RETRIES = 6
BEYOND_TRIES = 2  # of the RETRIES, drawn among people the other twins of the year never name


def death_rate(age: np.ndarray, sex: np.ndarray, quintile: np.ndarray) -> np.ndarray:
    knots = np.array(sorted(DEATH_RATE_KNOTS))
    rate = np.interp(age, knots, [DEATH_RATE_KNOTS[k] for k in knots]) / 1000.0
    rate = rate * np.where(np.asarray(sex) == "M", SEX_MULTIPLIER["M"], SEX_MULTIPLIER["F"])
    return rate * pd.Series(quintile).map(SIMD_MULTIPLIER).to_numpy()


def _fy_of(days: np.ndarray) -> np.ndarray:
    """Financial year of dates given as days since 1970-01-01."""
    d = days.astype("datetime64[D]")
    year = d.astype("datetime64[Y]").astype(np.int64) + 1970
    month = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    return year - (month < 4)


def _band(age: np.ndarray) -> np.ndarray:
    return np.searchsorted(np.array(AGE_BANDS), age, side="right") - 1


def _places(rng: np.random.Generator, age: np.ndarray) -> np.ndarray:
    group = np.select([age < 65, age < 85], ["under_65", "65_84"], "85_plus")
    out = np.empty(len(age), dtype=object)
    for g, probs in COMMUNITY_PLACES.items():
        where = np.flatnonzero(group == g)
        keys = list(probs)
        out[where] = np.array(keys, dtype=object)[
            rng.choice(len(keys), size=len(where), p=np.array(list(probs.values())))
        ]
    return out


def _days(values) -> np.ndarray:
    return pd.to_datetime(pd.Series(values)).to_numpy().astype("datetime64[D]").astype(np.int64)


def id64(values) -> np.ndarray:
    """The 64-bit number behind twin ids (one letter and 16 lower-case hex digits), for fast joins."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values, type=pa.string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.type != pa.string():
        arr = arr.cast(pa.string())
    n = len(arr)
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset : arr.offset + n + 1]
    if arr.null_count or not (np.diff(offsets) == 17).all():
        raise ValueError("twin ids must be one letter and 16 lower-case hex digits")
    chars = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]].reshape(n, 17)
    out = np.zeros(n, dtype=np.uint64)
    for j in range(1, 17):
        c = chars[:, j]
        digit = np.where(c >= ord("a"), c.astype(np.int64) - ord("a") + 10, c.astype(np.int64) - ord("0"))
        if ((digit < 0) | (digit > 15)).any():
            raise ValueError("twin ids must be one letter and 16 lower-case hex digits")
        out = (out << np.uint64(4)) | digit.astype(np.uint64)
    return out


def _last_by_id(ids: np.ndarray, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sorted unique ids, the latest day of each)."""
    if not len(ids):
        return ids, days
    order = np.argsort(ids, kind="stable")
    ids, days = ids[order], days[order]
    starts = np.flatnonzero(np.concatenate([[True], ids[1:] != ids[:-1]]))
    return ids[starts], np.maximum.reduceat(days, starts)


def _lookup(keys: np.ndarray, ids: np.ndarray, values: np.ndarray, missing) -> np.ndarray:
    """values[ids == key] for each key (ids sorted and unique), `missing` where absent."""
    if not len(ids):
        return np.full(len(keys), missing)
    pos = np.minimum(np.searchsorted(ids, keys), len(ids) - 1)
    return np.where(ids[pos] == keys, values[pos], missing)


def last_activity(
    attendances: pd.DataFrame | None = None, delayed: pd.DataFrame | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(sorted patient ids as `id64`, last day seen) in the A&E and delayed discharge twins.

    Days count from 1970-01-01; a delay's last day is its start plus its delayed nights.
    """
    ids, days = [np.zeros(0, np.uint64)], [np.zeros(0, np.int64)]
    if attendances is not None and len(attendances):
        ids.append(id64(attendances["patient_id"]))
        days.append(_days(attendances["discharge_datetime"]))
    if delayed is not None and len(delayed):
        ends = delayed.groupby(["patient_id", "delay_start_date"])["bed_days_in_month"].sum()
        ids.append(id64(pa.array(ends.index.get_level_values("patient_id"), type=pa.string())))
        days.append(_days(ends.index.get_level_values("delay_start_date")) + ends.to_numpy().astype(np.int64))
    return _last_by_id(np.concatenate(ids), np.concatenate(days))


def _from_stays(
    episodes: pd.DataFrame, other: tuple[np.ndarray, np.ndarray], period: tuple[int, int], rng: np.random.Generator
) -> pd.DataFrame:
    """Step 1: SMR01 patients who die after their last stay."""
    pid_text = pa.array(episodes["patient_id"], type=pa.string())
    pid = id64(pid_text)
    adm = _days(episodes["admission_date"])
    dis = _days(episodes["discharge_date"])
    order = np.lexsort((dis, pid))
    last_row = order[np.concatenate([pid[order][1:] != pid[order][:-1], [True]])]
    last_dis = dis[last_row]
    # The stay of the last episode: its admission (first episode) and length so far.
    cis = id64(pa.array(episodes["cis_id"], type=pa.string()))
    first = np.flatnonzero(episodes["episode_number"].to_numpy() == 1)
    by_cis = np.argsort(cis[first])
    stay = first[by_cis][np.searchsorted(cis[first][by_cis], cis[last_row])]
    stay_start = adm[stay]
    stay_len = last_dis - stay_start
    emergency = np.isin(episodes["admission_type"].to_numpy(dtype=object)[stay].astype("U1"), ["2", "3"])
    age = episodes["age_at_admission"].to_numpy()[last_row].astype(np.int64)
    birth = _fy_of(stay_start) - age

    knots = np.array(sorted(AFTER_STAY_KNOTS))
    p = np.interp(age, knots, [AFTER_STAY_KNOTS[k] for k in knots])
    p = p * np.where(emergency, 1.0, ELECTIVE_FACTOR) * np.minimum(1 + stay_len / LONG_STAY_DAYS, LONG_STAY_CAP)
    # Over several years a patient's last stay is usually in a later year, so fewer last
    # stays fall in the early years: scale up by (patients with a stay that year) /
    # (patients whose last stay is that year), so each year has as many of these deaths
    # as a one-year extract would.
    stay_fy = _fy_of(stay_start)
    first_fy = _fy_of(adm[first])
    for fy in np.unique(stay_fy):
        patients = len(np.unique(pid[first][first_fy == fy]))
        p[stay_fy == fy] *= patients / max(1, int((stay_fy == fy).sum()))
    n = len(p)
    p = np.minimum(p, 0.9)
    later_day = _lookup(pid[last_row], other[0], other[1], np.iinfo(np.int64).min)
    seen_later = later_day > last_dis
    # Only patients not seen in another twin after this stay can die in hospital at its end.
    # Those few take the in-hospital deaths of the others too (within each year of discharge
    # and age band), so linking to the other twins does not thin out hospital deaths.
    group = (_fy_of(last_dis) - 2000) * len(AGE_BANDS) + _band(age)
    _, group = np.unique(group, return_inverse=True)
    eligible = np.bincount(group, weights=~seen_later) / np.bincount(group)
    q_hospital = np.where(seen_later, 0.0, np.minimum(p * DIED_IN_HOSPITAL / np.maximum(eligible[group], 1e-9), 0.9))
    q_after = np.minimum(p * (1 - DIED_IN_HOSPITAL), 1 - q_hospital)
    u = rng.random(n)
    in_hospital = u < q_hospital
    dies = u < q_hospital + q_after
    after = np.where(seen_later, later_day, last_dis).astype(np.int64)
    gap = 1 + np.floor(rng.exponential(MEAN_DAYS_TO_DEATH_AFTER_DISCHARGE, n)).astype(np.int64)
    death = np.where(in_hospital, last_dis, after + gap)
    place = np.where(in_hospital, "hospital", _places(rng, age))
    start, end = period
    keep = dies & (death >= start) & (death < end)
    rows = last_row[keep]
    return pd.DataFrame(
        {
            "patient_id": pid_text.take(pa.array(rows)).to_numpy(zero_copy_only=False),
            "death": death[keep],
            "birth": birth[keep],
            "sex": np.where(episodes["sex"].to_numpy(dtype=object)[rows] == "1", "M", "F"),
            "datazone2011": episodes["datazone2011"].to_numpy(dtype=object)[rows],
            "place": place[keep],
        }
    )


def _without_stays(
    ref: ReferenceTables,
    fy: int,
    linked: pd.DataFrame,
    seen: tuple[np.ndarray, np.ndarray],
    seed: int,
    rng: np.random.Generator,
    scale: float,
) -> pd.DataFrame:
    """Step 2: the rest of the year's expected deaths, among people not seen after their death."""
    cells = population_cells(ref, fy)
    age = cells["age"].to_numpy()
    sex = cells["sex"].to_numpy()
    lam = cells["population"].to_numpy() * death_rate(age, sex, cells["simd2020v2_sc_quintile"].to_numpy()) * scale
    band = _band(age)
    key = band * 2 + (sex == "M")
    expected = np.bincount(key, weights=lam, minlength=len(AGE_BANDS) * 2)
    mine = linked[_fy_of(linked["death"].to_numpy()) == fy]
    taken = np.bincount(
        _band(fy - mine["birth"].to_numpy()) * 2 + (mine["sex"].to_numpy() == "M"), minlength=len(AGE_BANDS) * 2
    )
    remaining = np.clip(1 - taken / np.where(expected > 0, expected, 1), 0, 1)
    rows = np.repeat(np.arange(len(cells)), rng.poisson(lam * remaining[key]))
    n = len(rows)
    pool = np.maximum(1, np.round(cells["population"].to_numpy()[rows])).astype(np.int64)
    dz = cells["datazone2011"].to_numpy(dtype=object)[rows]
    births, sexes = fy - age[rows], sex[rows]
    start, days, month = financial_year_days(fy)
    w = np.where(np.isin(month, [12, 1, 2, 3]), WINTER_EXCESS, 1.0)
    death = (start + rng.choice(days, size=n, p=w / w.sum())).astype(np.int64)
    # Nobody is seen in a twin after their death: draw a few candidates for each death and
    # take the first whose activity (if any) ended by then. The last tries are people
    # beyond the cell's usual index range (index >= population), whom the other twins of
    # that year never name; a death with no free candidate is left out.
    beyond = np.arange(RETRIES)[:, None] >= RETRIES - BEYOND_TRIES
    candidates = rng.random((RETRIES, n)) * np.where(beyond, 3 * pool, pool) + np.where(beyond, pool, 0)
    candidates = candidates.astype(np.int64)
    ids = pa.array(
        patient_ids(seed, np.tile(dz, RETRIES), np.tile(sexes, RETRIES), np.tile(births, RETRIES), candidates.ravel()),
        type=pa.string(),
    )
    last = _lookup(id64(ids), seen[0], seen[1], np.iinfo(np.int64).min).reshape(RETRIES, n)
    free = last <= death
    pick = np.argmax(free, axis=0)
    chosen = ids.take(pa.array(pick * n + np.arange(n))).to_numpy(zero_copy_only=False)
    return pd.DataFrame(
        {
            "patient_id": chosen,
            "death": death,
            "birth": births,
            "sex": sexes,
            "datazone2011": dz,
            "place": _places(rng, age[rows]),
        }
    )[free.any(axis=0)]


def generate(
    ref: ReferenceTables,
    financial_years: list[int],
    seed: int,
    episodes: pd.DataFrame,
    *,
    attendances: pd.DataFrame | None = None,
    delayed: pd.DataFrame | None = None,
    scale: float = 1.0,
) -> pd.DataFrame:
    """One row per death in the given financial years, consistent with the other twins.

    `episodes` is the synthetic SMR01 extract of the same seed (transforms.synthetic.smr01);
    `attendances` and `delayed`, when given, are the A&E and delayed discharge twins: no
    decedent has activity in any of them after death. `scale` multiplies the expected
    deaths of every cell, as it does the other twins' events.
    """
    rng = np.random.default_rng([seed, 3])
    period = (
        int(np.datetime64(f"{financial_years[0]}-04-01").astype(np.int64)),
        int(np.datetime64(f"{financial_years[-1] + 1}-04-01").astype(np.int64)),
    )
    other = last_activity(attendances, delayed)
    linked = _from_stays(episodes, other, period, rng)
    seen = _last_by_id(
        np.concatenate([other[0], id64(pa.array(episodes["patient_id"], type=pa.string()))]),
        np.concatenate([other[1], _days(episodes["discharge_date"])]),
    )
    rest = [_without_stays(ref, fy, linked, seen, seed, rng, scale) for fy in financial_years]
    deaths = pd.concat([linked, *rest], ignore_index=True)
    deaths = deaths.drop_duplicates("patient_id", keep="first")  # one death per person
    fy = _fy_of(deaths["death"].to_numpy())
    frame = pd.DataFrame(
        {
            "patient_id": pd.array(deaths["patient_id"].to_numpy(), dtype="str"),
            "date_of_death": deaths["death"].to_numpy().astype("datetime64[D]").astype("datetime64[s]"),
            "age": np.clip(fy - deaths["birth"].to_numpy(), 0, 115).astype("int16"),
            "sex": sex_code(deaths["sex"].to_numpy()),
            "datazone2011": pd.array(deaths["datazone2011"].to_numpy(), dtype="str"),
            "place_of_death": pd.array(deaths["place"].to_numpy(), dtype="str"),
        }
    )[COLUMNS]
    return frame.sort_values(["date_of_death", "patient_id"]).reset_index(drop=True)


TWIN = Twin("deaths", "transforms.synthetic.deaths", GENERATOR_VERSION)
write_extract = TWIN.write_extract
extract_file_name = TWIN.extract_file_name
