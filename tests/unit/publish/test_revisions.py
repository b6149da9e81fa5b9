"""Revisions between releases: two crafted releases give exactly the expected changes, markers and summaries."""

import json
import random
import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from transforms.publish import dataset, revisions
from transforms.publish.revisions import FIRST_RELEASE, compare_releases, read_previous

PREVIOUS_ID = "a1b2c3d4e5f60718"
TITLES = {"adm": "Emergency admissions per 1,000", "dd": "Delayed discharge bed days 75+"}
NAMES = {"S92000003": "Scotland", "B1": "Board One", "H1": "Partnership One", "H2": "Partnership Two"}
NAMES["H1L1"] = "Locality One"
LEVEL = {"S92000003": "scotland", "B1": "health_board", "H1": "hscp", "H2": "hscp", "H1L1": "locality"}
PARENT = {"H1": "H1", "H2": "H2", "H1L1": "H1"}
INDICATOR_SCHEMA = pa.schema(
    [
        ("indicator_id", pa.string()),
        ("period", pa.string()),
        ("geography_level", pa.string()),
        ("geography_code", pa.string()),
        ("geography_name", pa.string()),
        ("hscp2019", pa.string()),
        ("simd_quintile", pa.string()),
        ("sex", pa.string()),
        ("age_group", pa.string()),
        ("value", pa.float64()),
        ("quality_marker", pa.string()),
    ]
)
COMPARISON_SCHEMA = pa.schema(
    [
        *(f for f in INDICATOR_SCHEMA if f.name not in ("value", "quality_marker")),
        ("comparator", pa.string()),
        ("verdict_95", pa.string()),
        ("verdict_998", pa.string()),
    ]
)


def cell(indicator, period, code, value, marker=None):
    return {
        "indicator_id": indicator,
        "period": period,
        "geography_level": LEVEL[code],
        "geography_code": code,
        "geography_name": NAMES[code],
        "hscp2019": PARENT.get(code),
        "simd_quintile": "all",
        "sex": "Persons",
        "age_group": "All ages",
        "value": value,
        "quality_marker": marker,
    }


def comparison(code, comparator, verdict_95, verdict_998):
    row = {k: v for k, v in cell("adm", "2022/23", code, None).items() if k in COMPARISON_SCHEMA.names}
    return {**row, "comparator": comparator, "verdict_95": verdict_95, "verdict_998": verdict_998}


PREVIOUS_ROWS = [
    cell("adm", "2021/22", "H1", 100.0),
    cell("adm", "2021/22", "H2", None, "c"),
    cell("adm", "2022/23", "S92000003", 10.0),
    cell("adm", "2022/23", "B1", 100.0),
    cell("adm", "2022/23", "H1", 100.0),
    cell("adm", "2022/23", "H2", 100.0),
    cell("adm", "2022/23", "H1L1", 100.0),
    cell("dd", "2022/23", "H1", 0.0),
    cell("dd", "2022/23", "H2", 50.0),
    cell("dd", "2022/23", "H1L1", 20.0, "y"),
]
NEW_ROWS = [
    # adm 2021/22 H1 removed
    cell("adm", "2021/22", "H2", 12.0),  # no longer suppressed
    cell("adm", "2022/23", "S92000003", 10.0),  # unchanged
    cell("adm", "2022/23", "B1", 110.0),  # +10 %: revised, outside the partnership summaries
    cell("adm", "2022/23", "H1", 106.0),  # +6 %: revised
    cell("adm", "2022/23", "H2", 104.0),  # +4 %: within the threshold
    cell("adm", "2022/23", "H1L1", 94.99),  # -5.01 %: revised
    cell("adm", "2023/24", "H1", 108.0),  # added
    cell("dd", "2022/23", "H1", 3.0),  # from 0: revised, no percentage
    cell("dd", "2022/23", "H2", None, "c"),  # now suppressed
    cell("dd", "2022/23", "H1L1", 30.0, "y"),  # +50 %: revised, keeps its marker
]
PREVIOUS_COMPARISONS = [
    comparison("H1", "Scotland", "similar", "similar"),
    comparison("H2", "Scotland", "worse", "similar"),
    comparison("H1", "peer family", "similar", "similar"),
]
NEW_COMPARISONS = [
    comparison("H1", "Scotland", "worse", "similar"),  # 95 % verdict changed
    comparison("H2", "Scotland", "worse", "similar"),
    comparison("H1", "peer family", "better", "similar"),  # not a comparison with Scotland
]


def table(rows, schema=INDICATOR_SCHEMA):
    return pa.Table.from_pylist(rows, schema=schema)


def write_release(folder, rows, comparisons=None, release_id=PREVIOUS_ID):
    """A release in the published layout: indicators/ (and comparisons/) hive datasets, manifest, catalogue."""
    dataset.write_partitioned(table(rows), folder)
    if comparisons is not None:
        scratch = folder / ".scratch"
        dataset.write_partitioned(table(comparisons, COMPARISON_SCHEMA), scratch)
        shutil.move(scratch / dataset.DATASET_DIR, folder / revisions.COMPARISONS_DIR)
        scratch.rmdir()
    (folder / "manifest.json").write_text(json.dumps({"release_id": release_id}))
    (folder / "indicators.json").write_text(json.dumps([{"id": k, "title": v} for k, v in TITLES.items()]))
    return folder


def expected(indicator, period, code, change, previous, value, percent=None, **verdict):
    row = cell(indicator, period, code, None)
    del row["value"], row["quality_marker"]
    return {
        **row,
        "change": change,
        "previous_value": previous,
        "value": value,
        "change_percent": percent,
        "comparator": verdict.get("comparator"),
        "confidence_level": verdict.get("confidence_level"),
        "previous_verdict": verdict.get("previous_verdict"),
        "verdict": verdict.get("verdict"),
        "previous_release_id": PREVIOUS_ID,
    }


EXPECTED = [
    expected("adm", "2021/22", "H1", "removed", 100.0, None),
    expected("adm", "2021/22", "H2", "no longer suppressed", None, 12.0),
    expected("adm", "2022/23", "B1", "value revised", 100.0, 110.0, 10.0),
    expected("adm", "2022/23", "H1", "value revised", 100.0, 106.0, 6.0),
    expected(
        "adm",
        "2022/23",
        "H1",
        "verdict changed",
        None,
        None,
        comparator="Scotland",
        confidence_level="95%",
        previous_verdict="similar",
        verdict="worse",
    ),
    expected("adm", "2022/23", "H1L1", "value revised", 100.0, 94.99, -5.01),
    expected("adm", "2023/24", "H1", "added", None, 108.0),
    expected("dd", "2022/23", "H1", "value revised", 0.0, 3.0, None),
    expected("dd", "2022/23", "H2", "now suppressed", 50.0, None),
    expected("dd", "2022/23", "H1L1", "value revised", 20.0, 30.0, 50.0),
]


@pytest.fixture
def previous(tmp_path):
    return read_previous(write_release(tmp_path / "previous", PREVIOUS_ROWS, PREVIOUS_COMPARISONS))


def assert_rows(actual: pa.Table, want: list[dict]):
    """Every column equal, change_percent to floating-point precision."""
    assert actual.schema == revisions.SCHEMA
    got = actual.to_pylist()
    assert [{**r, "change_percent": None} for r in got] == [{**r, "change_percent": None} for r in want]
    assert [r["change_percent"] for r in got] == [
        None if r["change_percent"] is None else pytest.approx(r["change_percent"], abs=1e-9) for r in want
    ]


def test_read_previous_reads_the_release_layout(previous):
    assert previous.release_id == PREVIOUS_ID
    assert previous.titles == TITLES
    assert previous.indicators.num_rows == len(PREVIOUS_ROWS)
    assert previous.comparisons.num_rows == len(PREVIOUS_COMPARISONS)

    def by_cell(rows):
        return sorted(rows, key=lambda r: (r["indicator_id"], r["period"], r["geography_code"]))

    assert by_cell(previous.indicators.to_pylist()) == by_cell(PREVIOUS_ROWS)


def test_two_releases_give_exactly_the_expected_revisions(previous):
    result = compare_releases(previous, table(NEW_ROWS), table(NEW_COMPARISONS, COMPARISON_SCHEMA), TITLES)
    assert_rows(result.table, EXPECTED)
    assert result.manifest() == {
        "previous_release_id": PREVIOUS_ID,
        "threshold_percent": 5.0,
        "verdicts_compared": True,
        "changes": {
            "added": 1,
            "removed": 1,
            "value revised": 5,
            "now suppressed": 1,
            "no longer suppressed": 1,
            "value withdrawn": 0,
            "value now available": 0,
            "verdict changed": 1,
        },
        "file": "revisions.parquet",
        "summaries_file": "revision_summaries.parquet",
    }


def test_revised_marker_lands_only_on_revised_values_without_a_marker(previous):
    result = compare_releases(previous, table(NEW_ROWS), table(NEW_COMPARISONS, COMPARISON_SCHEMA), TITLES)
    markers = {
        (r["indicator_id"], r["period"], r["geography_code"]): r["quality_marker"]
        for r in result.indicators.to_pylist()
    }
    assert markers == {
        ("adm", "2021/22", "H2"): None,
        ("adm", "2022/23", "S92000003"): None,
        ("adm", "2022/23", "B1"): "r",
        ("adm", "2022/23", "H1"): "r",
        ("adm", "2022/23", "H2"): None,
        ("adm", "2022/23", "H1L1"): "r",
        ("adm", "2023/24", "H1"): None,
        ("dd", "2022/23", "H1"): "r",
        ("dd", "2022/23", "H2"): "c",
        ("dd", "2022/23", "H1L1"): "y",
    }
    assert result.indicators.drop_columns(["quality_marker"]) == table(NEW_ROWS).drop_columns(["quality_marker"])


def test_summary_sentence_per_partnership(previous):
    result = compare_releases(previous, table(NEW_ROWS), table(NEW_COMPARISONS, COMPARISON_SCHEMA), TITLES)
    summaries = {r["hscp2019"]: r for r in result.summaries.to_pylist()}
    assert list(summaries) == ["H1", "H2"]
    assert summaries["H1"]["summary"] == (
        f"4 values revised by more than 5 % since release {PREVIOUS_ID}; largest change +50.0 % in "
        "Delayed discharge bed days 75+ 2022/23 (Locality One); 1 row added; 1 row removed; "
        "1 comparison with Scotland changed verdict."
    )
    assert summaries["H2"]["summary"] == (
        f"No value revised by more than 5 % since release {PREVIOUS_ID}; 1 value now suppressed; "
        "1 value no longer suppressed; no comparison with Scotland changed verdict."
    )
    h1 = summaries["H1"]
    assert (h1["hscp_name"], h1["added"], h1["removed"], h1["value_revised"], h1["verdict_changed"]) == (
        "Partnership One",
        1,
        1,
        4,
        1,
    )
    assert (h1["largest_change_indicator_id"], h1["largest_change_period"], h1["largest_change_geography_code"]) == (
        "dd",
        "2022/23",
        "H1L1",
    )
    assert h1["largest_change_percent"] == pytest.approx(50.0)
    assert result.summaries.schema == revisions.SUMMARY_SCHEMA


def test_percent_in_a_sentence_never_rounds_onto_the_threshold():
    assert revisions._percent_text(-5.010000000000005, 5.0) == "-5.01 %"
    assert revisions._percent_text(8.04, 5.0) == "+8.0 %"


def test_first_release_has_nothing_to_compare_with(tmp_path):
    assert read_previous(None) is None
    assert read_previous(tmp_path / "output" / "latest") is None
    new = table(NEW_ROWS)
    result = compare_releases(None, new, table(NEW_COMPARISONS, COMPARISON_SCHEMA), TITLES)
    assert result.table.num_rows == 0 and result.table.schema == revisions.SCHEMA
    assert result.indicators == new
    assert result.summaries.to_pylist() == [
        {
            **dict.fromkeys(revisions.SUMMARY_SCHEMA.names),
            "hscp2019": code,
            "hscp_name": NAMES[code],
            "summary": FIRST_RELEASE,
        }
        for code in ("H1", "H2")
    ]
    assert result.manifest()["previous_release_id"] is None
    assert set(result.manifest()["changes"].values()) == {0}


def test_previous_release_without_comparisons(tmp_path):
    previous = read_previous(write_release(tmp_path / "previous", PREVIOUS_ROWS))
    assert previous.comparisons is None
    result = compare_releases(previous, table(NEW_ROWS), table(NEW_COMPARISONS, COMPARISON_SCHEMA), TITLES)
    assert_rows(result.table, [r for r in EXPECTED if r["change"] != "verdict changed"])
    assert result.manifest()["verdicts_compared"] is False
    h2 = {r["hscp2019"]: r for r in result.summaries.to_pylist()}["H2"]
    assert h2["verdict_changed"] is None
    assert h2["summary"] == (
        f"No value revised by more than 5 % since release {PREVIOUS_ID}; 1 value now suppressed; "
        "1 value no longer suppressed; "
        f"verdicts against Scotland not compared: release {PREVIOUS_ID} has no comparisons."
    )


def test_suppressed_value_is_never_shown(previous):
    leaky = [dict(r, value=45.0) if r["quality_marker"] == "c" else r for r in NEW_ROWS]
    result = compare_releases(previous, table(leaky), None, TITLES)
    now_suppressed = [r for r in result.table.to_pylist() if r["change"] == "now suppressed"]
    assert [(r["previous_value"], r["value"]) for r in now_suppressed] == [(50.0, None)]


def test_same_inputs_same_bytes_whatever_the_row_order(tmp_path, previous):
    shuffled = list(NEW_ROWS)
    random.Random(3).shuffle(shuffled)
    files = []
    for name, rows in (("a", NEW_ROWS), ("b", shuffled)):
        result = compare_releases(previous, table(rows), table(NEW_COMPARISONS, COMPARISON_SCHEMA), TITLES)
        (tmp_path / name).mkdir()
        files.append({k: p.read_bytes() for k, p in revisions.write(result, tmp_path / name).items()})
    assert files[0] == files[1]
    assert pq.read_table(tmp_path / "a" / revisions.REVISIONS_FILE).num_rows == len(EXPECTED)


def test_a_cell_twice_in_a_release_is_refused(previous):
    with pytest.raises(ValueError, match="more than one row for the cell"):
        compare_releases(previous, table([*NEW_ROWS, NEW_ROWS[0]]), None, TITLES)


def test_a_release_made_again_from_the_same_inputs_is_compared_with_what_it_was_compared_with(tmp_path):
    output = tmp_path / "output"
    inputs = [{"source": "example", "sha256": "ab" * 32}]
    assert revisions.previous_release(output, inputs, "1.0+abc") is None
    releases = output / "releases"
    for release_id, made_from, base in (("aaaa", "00" * 32, None), ("bbbb", "ab" * 32, "aaaa")):
        (releases / release_id).mkdir(parents=True)
        manifest = {
            "release_id": release_id,
            "code_version": "1.0+abc",
            "inputs": [{"source": "example", "sha256": made_from}],
            "disclosure_control": {"threshold": 5},
            revisions.MANIFEST_KEY: {"previous_release_id": base},
        }
        (releases / release_id / "manifest.json").write_text(json.dumps(manifest))
    (output / "latest").symlink_to("releases/bbbb")
    # bbbb was made from these inputs with this code: a rerun is compared with bbbb's own base.
    assert revisions.previous_release(output, inputs, "1.0+abc") == (releases / "aaaa").resolve()
    # Other inputs or other code: a new release, compared with the latest.
    assert (
        revisions.previous_release(output, [{"source": "example", "sha256": "cd" * 32}], "1.0+abc")
        == (releases / "bbbb").resolve()
    )
    assert revisions.previous_release(output, inputs, "1.1+def") == (releases / "bbbb").resolve()
    # The same inputs and code under the same disclosure control: a rerun; under another threshold: new.
    assert revisions.previous_release(output, inputs, "1.0+abc", {"threshold": 5}) == (releases / "aaaa").resolve()
    assert revisions.previous_release(output, inputs, "1.0+abc", {"threshold": 10}) == (releases / "bbbb").resolve()
    (output / "latest").unlink()
    (output / "latest").symlink_to("releases/aaaa")
    assert revisions.previous_release(output, [{"source": "example", "sha256": "00" * 32}], "1.0+abc") is None
