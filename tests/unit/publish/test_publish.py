"""Publishing is atomic: a release appears whole or not at all, `latest` follows, and the dataset is one schema."""

import json
import stat
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from transforms.publish import dataset
from transforms.publish.dataset import CORE_TYPES
from transforms.publish.release import is_complete, publish
from transforms.publish.release_scan import DisclosureError, assert_publishable


@pytest.fixture
def mart(tmp_path):
    path = tmp_path / "marts" / "example_indicator.parquet"
    path.parent.mkdir()
    pd.DataFrame({"geography_code": ["S92000003"], "value": [1.5]}).to_parquet(path)
    return path


INPUTS = [{"source": "example", "sha256": "ab" * 32}]


def test_release_folder_manifest_and_latest(tmp_path, mart):
    releases = tmp_path / "output" / "releases"
    release = publish([mart], releases_dir=releases, inputs=INPUTS, run_id="r1", synthetic=True)
    assert release.parent == releases
    manifest = json.loads((release / "manifest.json").read_text())
    assert manifest["outputs"][0]["rows"] == 1 and manifest["synthetic"] is True
    assert (tmp_path / "output" / "latest").resolve() == release.resolve()
    assert (tmp_path / "output" / "LATEST").read_text().strip() == release.name


def test_same_inputs_same_day_reuse_the_release(tmp_path, mart):
    releases = tmp_path / "output" / "releases"
    first = publish([mart], releases_dir=releases, inputs=INPUTS, run_id="r1", synthetic=False)
    second = publish([mart], releases_dir=releases, inputs=INPUTS, run_id="r2", synthetic=False)
    assert first == second and len(list(releases.iterdir())) == 1
    # The run that made it is recorded beside the manifest, not in it (manifest.json is content only).
    assert json.loads((first / "provenance.json").read_text())["run_id"] == "r1"


def test_a_failure_while_assembling_leaves_latest_and_no_partial_release(tmp_path, mart):
    releases = tmp_path / "output" / "releases"
    good = publish([mart], releases_dir=releases, inputs=INPUTS, run_id="r1", synthetic=False)
    missing = mart.parent / "not_built.parquet"
    with pytest.raises(FileNotFoundError):
        publish(
            [mart, missing],
            releases_dir=releases,
            inputs=[{"source": "example", "sha256": "cd" * 32}],
            run_id="r2",
            synthetic=False,
        )
    assert sorted(p.name for p in releases.iterdir()) == [good.name]
    assert (tmp_path / "output" / "latest").resolve() == good.resolve()


# --- the partitioned indicator dataset ----------------------------------------------------------


def _mart(path, indicator, levels, **extra):
    """A small mart in the long format; `extra` adds or overrides columns (types differ between marts)."""
    n = len(levels)
    columns = {
        "indicator_id": [indicator] * n,
        "period": ["2022/23"] * n,
        "period_start": pa.array([date(2022, 4, 1)] * n),
        "geography_level": levels,
        "geography_code": [f"S{i:08d}" for i in range(n)],
        "simd_quintile": ["all"] * n,
        "sex": ["Persons"] * n,
        "age_group": ["All ages"] * n,
        "numerator": pa.array(range(10, 10 + n), pa.int32()),
        "denominator": [1000] * n,
        "value": [float(v) for v in range(10, 10 + n)],
        **extra,
    }
    pq.write_table(pa.table(columns), path)
    return path


def test_marts_become_one_hive_dataset_with_one_schema(tmp_path):
    a = _mart(tmp_path / "a.parquet", "rate_a", ["hscp", "hscp", "scotland"], locality_code=["L1", None, None])
    b = _mart(
        tmp_path / "b.parquet",
        "pct_b",
        ["hscp", "health_board"],
        numerator=pa.array([1.5, 2.5]),
        method=["percentage"] * 2,
    )
    table = dataset.unify([b, a])
    assert table.schema.field("numerator").type == pa.float64()  # int32 and double: one type
    names = table.column_names
    assert names.index("locality_code") == names.index("value") + 1  # after the column it follows in its mart
    assert set(CORE_TYPES) <= set(names)  # missing core columns are there, null
    written = dataset.write_partitioned(table, tmp_path / "release")
    assert sorted(written) == [
        f"indicators/geography_level={level}/indicator_id={i}/part-0.parquet"
        for level, i in [("health_board", "pct_b"), ("hscp", "pct_b"), ("hscp", "rate_a"), ("scotland", "rate_a")]
    ]
    schemas = {pq.read_schema(p).remove_metadata() for p in written.values()}
    assert len(schemas) == 1 and not {"indicator_id", "geography_level"} & set(schemas.pop().names)

    root = (tmp_path / "release" / "indicators").as_posix()
    hscp_a = duckdb.sql(
        f"select geography_code, numerator, locality_code from read_parquet('{root}/**/*.parquet', "
        "hive_partitioning=true) where indicator_id = 'rate_a' and geography_level = 'hscp' "
        "order by geography_code"
    ).fetchall()
    assert hscp_a == [("S00000000", 10.0, "L1"), ("S00000001", 11.0, None)]
    frame = pd.read_parquet(tmp_path / "release" / "indicators", filters=[("indicator_id", "=", "pct_b")])
    assert sorted(frame["geography_level"].astype(str)) == ["health_board", "hscp"]
    assert frame["method"].eq("percentage").all() and frame["locality_code"].isna().all()


def test_the_same_rows_in_any_order_give_byte_identical_parts(tmp_path):
    mart = _mart(tmp_path / "a.parquet", "rate_a", ["hscp"] * 50 + ["scotland"])
    table = dataset.unify([mart])
    shuffled = table.take(pa.array(np.random.default_rng(7).permutation(table.num_rows)))
    one = dataset.write_partitioned(table, tmp_path / "one")
    two = dataset.write_partitioned(shuffled, tmp_path / "two")
    assert {k: v.read_bytes() for k, v in one.items()} == {k: v.read_bytes() for k, v in two.items()}
    assert pq.read_metadata(next(iter(one.values()))).metadata.keys() == {b"ARROW:schema"}  # no pandas, no time


def test_a_partition_value_unfit_for_a_folder_name_is_refused(tmp_path):
    mart = _mart(tmp_path / "a.parquet", "../escape", ["hscp"])
    with pytest.raises(ValueError, match="cannot name a partition folder"):
        dataset.write_partitioned(dataset.unify([mart]), tmp_path / "release")


def test_restricted_outputs_are_owner_only(tmp_path):
    mart = _mart(tmp_path / "a.parquet", "rate_a", ["datazone", "hscp"])
    files = dataset.write_restricted(dataset.unify([mart]), tmp_path / "run" / "restricted")
    assert files
    for path in files.values():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        for folder in path.relative_to(tmp_path / "run").parents:
            if folder != Path("."):
                assert stat.S_IMODE((tmp_path / "run" / folder).stat().st_mode) == 0o700, folder


def test_a_release_that_fails_its_check_is_never_published(tmp_path, mart):
    releases = tmp_path / "output" / "releases"
    good = publish(
        {"indicators/geography_level=hscp/indicator_id=x/part-0.parquet": mart},
        releases_dir=releases,
        inputs=INPUTS,
        run_id="r1",
        synthetic=False,
        check=assert_publishable,
    )
    manifest = json.loads((good / "manifest.json").read_text())
    assert [o["file"] for o in manifest["outputs"]] == ["indicators/geography_level=hscp/indicator_id=x/part-0.parquet"]
    assert is_complete(good)

    leaky = mart.parent / "leaky.parquet"
    pd.DataFrame({"geography_code": ["S92000003"], "numerator": [3]}).to_parquet(leaky)
    with pytest.raises(DisclosureError, match=r"leaky.parquet, column 'numerator', row 0"):
        publish([leaky], releases_dir=releases, inputs=INPUTS, run_id="r2", synthetic=False, check=assert_publishable)
    assert sorted(p.name for p in releases.iterdir()) == [good.name]
    assert (tmp_path / "output" / "latest").resolve() == good.resolve()
    with pytest.raises(ValueError, match="plain relative path"):
        publish({"../outside.parquet": mart}, releases_dir=releases, inputs=INPUTS, run_id="r3", synthetic=False)
