"""Revisions between releases: what changed since the previous published release.

Every release re-issues the whole history, so a figure published last time can
change. `compare_releases` sets the new release's publishable indicator table (after
disclosure control) against the previous release's, cell by cell (the key
`suppression.CELL_KEYS`), and lists:

* rows added and removed;
* values revised by more than `threshold_percent` (default 5 %) of the previous value;
* values that became suppressed, or are no longer suppressed, and values that
  became unavailable or available for another reason (a marker other than 'c');
* comparisons with Scotland (95 % and 99.8 %) whose verdict changed, where both
  releases have a comparisons table.

Revised values get quality_marker 'r' where they have no marker; a short sentence per
partnership says what changed. The rules are in docs/methods/revisions.md.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads

from transforms.publish import dataset
from transforms.publish.suppression import CELL_KEYS, RESTRICTED_LEVELS, SUPPRESSED

# The MSG integration performance indicators workbooks flag a figure revised by more than 5 %.
DEFAULT_THRESHOLD_PERCENT = 5.0
REVISED = "r"
COMPARISONS_DIR = "comparisons"
# The key of `Revisions.manifest()` in the release manifest (read back by `previous_release`).
MANIFEST_KEY = "revisions"
SCOTLAND = "Scotland"
# Verdict columns of the comparisons table and the confidence level each holds.
VERDICT_COLUMNS = (("verdict_95", "95%"), ("verdict_998", "99.8%"))
# The closed set of change types, in the order rows of one cell are listed.
ADDED = "added"
REMOVED = "removed"
VALUE_REVISED = "value revised"
NOW_SUPPRESSED = "now suppressed"
NO_LONGER_SUPPRESSED = "no longer suppressed"
VALUE_WITHDRAWN = "value withdrawn"
VALUE_NOW_AVAILABLE = "value now available"
VERDICT_CHANGED = "verdict changed"
CHANGES = (
    ADDED,
    REMOVED,
    VALUE_REVISED,
    NOW_SUPPRESSED,
    NO_LONGER_SUPPRESSED,
    VALUE_WITHDRAWN,
    VALUE_NOW_AVAILABLE,
    VERDICT_CHANGED,
)
# A partnership's summary counts the rows of the partnership and of its localities.
SUMMARY_LEVELS = ("hscp", "locality")
FIRST_RELEASE = "First release: there is nothing earlier to compare with."
# Breakdown values that need no mention in a sentence.
_WHOLE = {"simd_quintile": {"all"}, "sex": {"Persons", "All", "all"}, "age_group": {"All ages", "all"}}

REVISIONS_FILE = "revisions.parquet"
SUMMARIES_FILE = "revision_summaries.parquet"
SCHEMA = pa.schema(
    [
        *((c, pa.string()) for c in CELL_KEYS),
        ("geography_name", pa.string()),
        ("hscp2019", pa.string()),
        ("change", pa.string()),
        ("previous_value", pa.float64()),
        ("value", pa.float64()),
        ("change_percent", pa.float64()),
        ("comparator", pa.string()),
        ("confidence_level", pa.string()),
        ("previous_verdict", pa.string()),
        ("verdict", pa.string()),
        ("previous_release_id", pa.string()),
    ]
)
_COUNT_COLUMNS = tuple(c.replace(" ", "_") for c in CHANGES)
SUMMARY_SCHEMA = pa.schema(
    [
        ("hscp2019", pa.string()),
        ("hscp_name", pa.string()),
        ("previous_release_id", pa.string()),
        *((c, pa.int64()) for c in _COUNT_COLUMNS),
        ("largest_change_percent", pa.float64()),
        ("largest_change_indicator_id", pa.string()),
        ("largest_change_title", pa.string()),
        ("largest_change_period", pa.string()),
        ("largest_change_geography_code", pa.string()),
        ("summary", pa.string()),
    ]
)


@dataclass(frozen=True)
class Previous:
    """What the previous release published: its id, indicator table, comparisons (if any) and titles."""

    release_id: str
    indicators: pa.Table
    comparisons: pa.Table | None
    titles: dict[str, str]


@dataclass(frozen=True)
class Revisions:
    """The comparison of a release with the previous one.

    `table`: one row per change (SCHEMA); `indicators`: the new table with 'r' on
    revised values; `summaries`: one row per partnership (SUMMARY_SCHEMA).
    """

    table: pa.Table
    indicators: pa.Table
    summaries: pa.Table
    previous_release_id: str | None
    threshold_percent: float
    verdicts_compared: bool

    def manifest(self) -> dict:
        counts = pc.value_counts(self.table["change"]).to_pylist() if self.table.num_rows else []
        by_change = {c["values"]: c["counts"] for c in counts}
        return {
            "previous_release_id": self.previous_release_id,
            "threshold_percent": self.threshold_percent,
            "verdicts_compared": self.verdicts_compared,
            "changes": {c: by_change.get(c, 0) for c in CHANGES},
            "file": REVISIONS_FILE,
            "summaries_file": SUMMARIES_FILE,
        }


def read_hive(folder: Path) -> pa.Table:
    """A dataset written by `dataset.write_partitioned`, its partition columns (as text) back in the rows."""
    partitioning = pads.partitioning(pa.schema([(c, pa.string()) for c in dataset.PARTITIONS]), flavor="hive")
    return pads.dataset(folder, format="parquet", partitioning=partitioning).to_table()


def read_previous(release_dir: Path | None) -> Previous | None:
    """The previous release's indicators, comparisons (None where it has none), id and catalogue titles.

    None where there is no previous release (`release_dir` None or not there, e.g.
    output/latest before the first publish) or it holds no indicators dataset.
    """
    if release_dir is None or not (Path(release_dir) / dataset.DATASET_DIR).is_dir():
        return None  # no release yet, or one without an indicators dataset: nothing to compare with
    release_dir = Path(release_dir).resolve()
    manifest = release_dir / "manifest.json"
    release_id = json.loads(manifest.read_text()).get("release_id") if manifest.is_file() else None
    comparisons = release_dir / COMPARISONS_DIR
    catalogue = release_dir / "indicators.json"
    titles = {e["id"]: e["title"] for e in json.loads(catalogue.read_text())} if catalogue.is_file() else {}
    return Previous(
        release_id=release_id or release_dir.name,
        indicators=read_hive(release_dir / dataset.DATASET_DIR),
        comparisons=read_hive(comparisons) if comparisons.is_dir() else None,
        titles=titles,
    )


def previous_release(
    output_dir: Path, inputs: list[dict], code_version: str, disclosure_control: dict | None = None
) -> Path | None:
    """The release to compare with: the one `latest` points at, unless it was made the same way.

    Publishing the same inputs with the same code and the same disclosure control
    again (a rerun, or a publish killed after `latest` moved) must give the same
    release, so it is compared with what that release was compared with (its
    manifest's revisions.previous_release_id), not with itself. A release of the same
    inputs under another disclosure threshold is a new release, compared with
    `latest`. None before the first release.
    """
    latest = Path(output_dir) / "latest"
    if not latest.exists():
        return None
    release = latest.resolve()
    manifest = json.loads((release / "manifest.json").read_text())
    same = manifest.get("inputs") == json.loads(json.dumps(inputs)) and manifest.get("code_version") == code_version
    if disclosure_control is not None:
        same = same and manifest.get("disclosure_control") == json.loads(json.dumps(disclosure_control))
    if same:
        earlier = (manifest.get(MANIFEST_KEY) or {}).get("previous_release_id")
        return release.parent / earlier if earlier else None
    return release


def _text(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column as text with nulls as '' (for joining and comparing); a missing column is all ''."""
    if name not in frame:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    return frame[name].astype(object).where(frame[name].notna(), "").astype(str)


def _frame(table: pa.Table, columns: list[str], what: str) -> pd.DataFrame:
    """The publishable rows of `table` with `columns` (missing ones null) and join keys `_k_<key>`; one row per key."""
    if "geography_level" in table.column_names:
        withheld = pc.is_in(table["geography_level"], value_set=pa.array(RESTRICTED_LEVELS, type=pa.string()))
        table = table.filter(pc.invert(pc.fill_null(withheld, False)))
    frame = table.select([c for c in columns if c in table.column_names]).to_pandas()
    for c in columns:
        if c not in frame:
            frame[c] = None
    frame = frame[columns].astype(object).where(frame[columns].notna(), None)
    keys = [f"_k_{c}" for c in CELL_KEYS]
    for c, k in zip(CELL_KEYS, keys, strict=True):
        frame[k] = _text(frame, c)
    duplicated = frame.duplicated(keys, keep=False)
    if duplicated.any():
        first = frame.loc[duplicated, list(CELL_KEYS)].iloc[0].to_dict()
        raise ValueError(f"{what}: more than one row for the cell {first}; each cell key {CELL_KEYS} must be unique")
    return frame


def _values(frame: pd.DataFrame, column: str) -> np.ndarray:
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _value_changes(old: pa.Table, new: pa.Table, threshold: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows added, removed and changed in value; and the new table's row positions of revised values."""
    columns = [*CELL_KEYS, "geography_name", "hscp2019", "value", "quality_marker"]
    old_f = _frame(old, columns, "previous release indicators")
    new_f = _frame(new.append_column("_row", pa.array(np.arange(new.num_rows))), [*columns, "_row"], "indicators")
    keys = [f"_k_{c}" for c in CELL_KEYS]
    m = old_f.merge(new_f, on=keys, how="outer", suffixes=("_old", "_new"), indicator=True)
    in_old, in_new = (m["_merge"] != "right_only").to_numpy(), (m["_merge"] != "left_only").to_numpy()
    both = in_old & in_new
    marker_old, marker_new = _text(m, "quality_marker_old").to_numpy(), _text(m, "quality_marker_new").to_numpy()
    # A suppressed cell shows no value, whatever the table given holds.
    v_old = np.where(marker_old == SUPPRESSED, np.nan, _values(m, "value_old"))
    v_new = np.where(marker_new == SUPPRESSED, np.nan, _values(m, "value_new"))
    has_old, has_new = ~np.isnan(v_old), ~np.isnan(v_new)
    with np.errstate(invalid="ignore", divide="ignore"):
        beyond = np.where(v_old == 0, v_new != 0, np.abs(v_new - v_old) * 100 > threshold * np.abs(v_old))
        percent = np.where(v_old != 0, (v_new - v_old) / np.abs(v_old) * 100, np.nan)
    change = np.select(
        [
            ~in_old,
            ~in_new,
            both & has_old & has_new & beyond,
            both & has_old & ~has_new & (marker_new == SUPPRESSED),
            both & ~has_old & has_new & (marker_old == SUPPRESSED),
            both & has_old & ~has_new,
            both & ~has_old & has_new,
        ],
        [ADDED, REMOVED, VALUE_REVISED, NOW_SUPPRESSED, NO_LONGER_SUPPRESSED, VALUE_WITHDRAWN, VALUE_NOW_AVAILABLE],
        default="",
    )
    rows = pd.DataFrame(
        {c: m[f"{c}_new"].where(in_new, m[f"{c}_old"]) for c in (*CELL_KEYS, "geography_name", "hscp2019")}
    )
    rows["change"] = change
    rows["previous_value"] = np.where(in_old, v_old, np.nan)
    rows["value"] = np.where(in_new, v_new, np.nan)
    rows["change_percent"] = np.where(change == VALUE_REVISED, percent, np.nan)
    revised_rows = m.loc[change == VALUE_REVISED, "_row"].astype(int).to_numpy()
    return rows[change != ""], revised_rows


def _verdict_changes(old: pa.Table, new: pa.Table) -> pd.DataFrame:
    """Comparisons with Scotland present in both releases whose verdict changed, one row per confidence level."""
    columns = [*CELL_KEYS, "geography_name", "hscp2019", "comparator", *(c for c, _ in VERDICT_COLUMNS)]

    def scotland(table: pa.Table) -> pa.Table:
        return table.filter(pc.fill_null(pc.equal(table["comparator"], SCOTLAND), False))

    old_f = _frame(scotland(old), columns, "previous release comparisons with Scotland")
    new_f = _frame(scotland(new), columns, "comparisons with Scotland")
    m = old_f.merge(new_f, on=[f"_k_{c}" for c in CELL_KEYS], how="inner", suffixes=("_old", "_new"))
    found = []
    for column, level in VERDICT_COLUMNS:
        changed = m[_text(m, f"{column}_old") != _text(m, f"{column}_new")]
        rows = pd.DataFrame({c: changed[f"{c}_new"] for c in (*CELL_KEYS, "geography_name", "hscp2019")})
        rows["change"] = VERDICT_CHANGED
        rows["comparator"] = SCOTLAND
        rows["confidence_level"] = level
        rows["previous_verdict"] = changed[f"{column}_old"]
        rows["verdict"] = changed[f"{column}_new"]
        found.append(rows)
    return pd.concat(found, ignore_index=True)


def _arrow(frame: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    """A frame as a table of exactly `schema` (missing columns null; NaN and None null)."""
    arrays = []
    for field in schema:
        values = frame[field.name].tolist() if field.name in frame else [None] * len(frame)
        values = [None if v is None or (isinstance(v, float) and np.isnan(v)) else v for v in values]
        arrays.append(pa.array(values, type=field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _sorted(table: pa.Table) -> pa.Table:
    if table.num_rows == 0:
        return table
    rank = pc.index_in(table["change"], value_set=pa.array(CHANGES))
    keyed = table.append_column("_rank", rank)
    order = [*CELL_KEYS, "_rank", "comparator", "confidence_level"]
    indices = pc.sort_indices(keyed, sort_keys=[(k, "ascending", "at_end") for k in order])
    return table.take(indices)


def _mark_revised(indicators: pa.Table, rows: np.ndarray) -> pa.Table:
    """quality_marker 'r' on the revised rows that have no marker (an existing marker is kept)."""
    if "quality_marker" not in indicators.column_names:
        raise ValueError("indicators: no quality_marker column; the publishable table always has one")
    hit = np.zeros(indicators.num_rows, dtype=bool)
    hit[rows] = True
    marker = indicators["quality_marker"].cast(pa.string())
    marked = pc.if_else(pc.and_(pa.array(hit), pc.is_null(marker)), pa.scalar(REVISED), marker)
    i = indicators.column_names.index("quality_marker")
    return indicators.set_column(i, indicators.schema.field(i).with_type(pa.string()), marked)


def _percent_text(percent: float, threshold: float) -> str:
    """'+8.0 %'; with two decimals where one would round a change beyond the threshold down onto it."""
    text = f"{percent:+.1f}"
    if abs(float(text)) <= threshold:
        text = f"{percent:+.2f}"
    return f"{text} %"


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _sentence(
    counts: Mapping[str, int], largest: dict | None, previous_id: str, verdicts: str | None, threshold: float
) -> str:
    """The plain-language summary of one partnership's changes (`verdicts`: why verdicts were not compared)."""
    n = counts[VALUE_REVISED]
    head = f"{_plural(n, 'value', 'values') if n else 'No value'} revised by more than {threshold:g} %"
    head += f" since release {previous_id}"
    if largest is not None:
        qualifiers = [largest["geography_name"]] if largest["geography_level"] != "hscp" else []
        for column, whole in _WHOLE.items():
            value = largest[column]
            if value is not None and value not in whole:
                qualifiers.append(f"SIMD quintile {value}" if column == "simd_quintile" else value)
        where = f" ({', '.join(qualifiers)})" if qualifiers else ""
        head += (
            f"; largest change {_percent_text(largest['change_percent'], threshold)}"
            f" in {largest['title']} {largest['period']}{where}"
        )
    parts = [head]
    for change, one, many in (
        (ADDED, "row added", "rows added"),
        (REMOVED, "row removed", "rows removed"),
        (NOW_SUPPRESSED, "value now suppressed", "values now suppressed"),
        (NO_LONGER_SUPPRESSED, "value no longer suppressed", "values no longer suppressed"),
        (VALUE_WITHDRAWN, "value no longer available", "values no longer available"),
        (VALUE_NOW_AVAILABLE, "value newly available", "values newly available"),
    ):
        if counts[change]:
            parts.append(_plural(counts[change], one, many))
    if verdicts is not None:
        parts.append(verdicts)
    else:
        v = counts[VERDICT_CHANGED]
        parts.append(
            f"{_plural(v, 'comparison', 'comparisons')} with Scotland changed verdict"
            if v
            else "no comparison with Scotland changed verdict"
        )
    return "; ".join(parts) + "."


def _partnerships(indicators: pa.Table) -> list[tuple[str, str | None]]:
    """(code, name) of every partnership with an hscp row in the table, by code."""
    hscp = indicators.filter(pc.fill_null(pc.equal(indicators["geography_level"], "hscp"), False))
    pairs = set(zip(hscp["geography_code"].to_pylist(), hscp["geography_name"].to_pylist(), strict=True))
    names: dict[str, str | None] = {}
    for code, name in sorted(pairs, key=lambda p: (p[0] or "", p[1] is None, p[1] or "")):
        if code is not None:
            names.setdefault(code, name)
    return sorted(names.items())


def _summaries(
    table: pa.Table,
    partnerships: list[tuple[str, str | None]],
    previous_id: str | None,
    titles: Mapping[str, str],
    verdicts_note: str | None,
    threshold: float,
) -> pa.Table:
    rows = []
    frame = table.to_pandas() if table.num_rows else pd.DataFrame(columns=SCHEMA.names)
    frame = frame.astype(object).where(frame.notna(), None)
    partnership = frame["hscp2019"].where(frame["hscp2019"].notna(), frame["geography_code"])
    in_scope = frame["geography_level"].isin(SUMMARY_LEVELS)
    for code, name in partnerships:
        row = {"hscp2019": code, "hscp_name": name, "previous_release_id": previous_id}
        if previous_id is None:
            rows.append({**row, "summary": FIRST_RELEASE})
            continue
        own = frame[in_scope & (partnership == code)]
        counts = {c: int((own["change"] == c).sum()) for c in CHANGES}
        row.update({column: counts[c] for column, c in zip(_COUNT_COLUMNS, CHANGES, strict=True)})
        if verdicts_note is not None:
            row["verdict_changed"] = None
        revised = own[(own["change"] == VALUE_REVISED) & own["change_percent"].notna()]
        largest = None
        if len(revised):
            largest = revised.loc[revised["change_percent"].astype(float).abs().idxmax()].to_dict()
            largest["title"] = titles.get(largest["indicator_id"], largest["indicator_id"])
            row.update(
                {
                    "largest_change_percent": largest["change_percent"],
                    "largest_change_indicator_id": largest["indicator_id"],
                    "largest_change_title": largest["title"],
                    "largest_change_period": largest["period"],
                    "largest_change_geography_code": largest["geography_code"],
                }
            )
        rows.append({**row, "summary": _sentence(counts, largest, previous_id, verdicts_note, threshold)})
    return _arrow(pd.DataFrame(rows, columns=SUMMARY_SCHEMA.names), SUMMARY_SCHEMA)


def compare_releases(
    previous: Previous | None,
    indicators: pa.Table,
    comparisons: pa.Table | None,
    titles: Mapping[str, str],
    *,
    threshold_percent: float = DEFAULT_THRESHOLD_PERCENT,
) -> Revisions:
    """Compare the new release's publishable tables with the previous release's.

    `indicators` is the disclosure-controlled table being published, `comparisons` the
    new comparisons table (None where the release has none), `titles` the catalogue
    title of each indicator id. With no previous release, nothing is compared: the
    table is empty and every partnership's summary says so.
    """
    partnerships = _partnerships(indicators)
    if previous is None:
        empty = SCHEMA.empty_table()
        return Revisions(
            table=empty,
            indicators=indicators,
            summaries=_summaries(empty, partnerships, None, titles, None, threshold_percent),
            previous_release_id=None,
            threshold_percent=threshold_percent,
            verdicts_compared=False,
        )
    changed, revised_rows = _value_changes(previous.indicators, indicators, threshold_percent)
    frames = [changed]
    verdicts_note = None
    if previous.comparisons is None:
        verdicts_note = f"verdicts against Scotland not compared: release {previous.release_id} has no comparisons"
    elif comparisons is None:
        verdicts_note = "verdicts against Scotland not compared: this release has no comparisons"
    else:
        frames.append(_verdict_changes(previous.comparisons, comparisons))
    frame = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) else None
    table = _arrow(frame if frame is not None else pd.DataFrame(columns=SCHEMA.names), SCHEMA)
    table = table.set_column(
        table.column_names.index("previous_release_id"),
        "previous_release_id",
        pa.array([previous.release_id] * table.num_rows, type=pa.string()),
    )
    table = _sorted(table)
    titles = {**previous.titles, **titles}
    return Revisions(
        table=table,
        indicators=_mark_revised(indicators, revised_rows),
        summaries=_summaries(table, partnerships, previous.release_id, titles, verdicts_note, threshold_percent),
        previous_release_id=previous.release_id,
        threshold_percent=threshold_percent,
        verdicts_compared=verdicts_note is None,
    )


def write(revisions: Revisions, folder: Path) -> dict[str, Path]:
    """Write the revisions table and the summaries (deterministic bytes); each file by its path in the release."""
    written = {}
    for name, table in ((REVISIONS_FILE, revisions.table), (SUMMARIES_FILE, revisions.summaries)):
        path = Path(folder) / name
        dataset.write_parquet(table, path)
        written[name] = path
    return written
