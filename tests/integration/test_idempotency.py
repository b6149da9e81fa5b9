"""Two runs on the same inputs publish byte-identical Parquet and manifests.

Two full runs (`python -m transforms run`, in parallel) in two separate workspaces
(their own data and output folders, their own archive and DuckDB warehouse), on the
same input files. Only provenance.json and release_log.jsonl, which record when and
by which run, may differ.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.integration.kill_harness import start_step
from tests.support import write_config
from transforms.catalogue import load_catalogue
from transforms.config import load_config
from transforms.publish import contents
from transforms.publish.release import read_release_log
from transforms.publish.revisions import REVISIONS_FILE, SUMMARIES_FILE


def _files(root, pattern):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob(pattern))}


@pytest.mark.slow
def test_two_runs_on_the_same_inputs_give_byte_identical_releases(tmp_path):
    cfgs, procs = [], []
    started = time.monotonic()
    for name in ("one", "two"):
        folder = tmp_path / name
        folder.mkdir()
        config = write_config(folder)
        cfgs.append(load_config(config))
        procs.append(start_step(config, folder / "run.log", "run", "--run-id", f"run-{name}"))
    for proc, cfg in zip(procs, cfgs, strict=False):
        assert proc.wait(timeout=900) == 0, (cfg.data_dir.parent / "run.log").read_text()[-3000:]
    elapsed = time.monotonic() - started
    one, two = cfgs

    latest_one, latest_two = ((c.output_dir / "latest").resolve() for c in cfgs)
    assert latest_one.name == latest_two.name  # the release id is a digest of the content
    assert (latest_one / "manifest.json").read_bytes() == (latest_two / "manifest.json").read_bytes()
    # The marts built: the catalogue's, less those of published aggregates the run did not have.
    marts = {f"{i['mart']}.parquet" for i in json.loads((latest_one / "indicators.json").read_text())}
    assert marts and marts < {f"{i.mart}.parquet" for i in load_catalogue()}
    n_inputs = len(json.loads((latest_one / "manifest.json").read_text())["inputs"])
    release_files = sorted(p.relative_to(latest_one).as_posix() for p in latest_one.rglob("*") if p.is_file())
    datasets = ("indicators/", *(f"{name}/" for name in (*contents.COMPARISON_DATASETS, contents.PEER_FAMILIES)))
    files = (REVISIONS_FILE, SUMMARIES_FILE, f"{contents.COMPARISON_SUMMARIES}.parquet")
    parts = [f for f in release_files if f.startswith(datasets) or f in files]
    assert {f.split("/")[0] for f in parts} == {d.rstrip("/") for d in datasets} | set(files)
    assert sorted(set(release_files) - set(parts)) == [
        "SYNTHETIC_DATA.txt",
        "indicators.json",
        "manifest.json",
        "provenance.json",
    ]
    assert parts == sorted(o["file"] for o in json.loads((latest_one / "manifest.json").read_text())["outputs"])
    for name in release_files:
        if name != "provenance.json":
            assert (latest_one / name).read_bytes() == (latest_two / name).read_bytes(), name

    # Every Parquet file the runs wrote (staged inputs, marts, the restricted dataset), and every archive manifest.
    for pattern in ("*.parquet",):
        a = _files(one.runs_dir / "run-one", pattern)
        b = _files(two.runs_dir / "run-two", pattern)
        # Besides the staged inputs and the indicator marts: the comparison marts, the
        # peer family features, and the controlled indicators and families.
        extra = len(contents.COMPARISON_DATASETS) + 4  # + comparison_summaries
        assert a.keys() == b.keys()
        assert len([k for k in a if not k.startswith("restricted/")]) == n_inputs + len(marts) + extra
        assert [k for k in a if a[k] != b[k]] == []
    a, b = _files(one.raw_dir, "manifest.json"), _files(two.raw_dir, "manifest.json")
    assert len(a) == n_inputs and a == b

    # What differs is recorded apart from the content, and says which run and when.
    provenance = [json.loads((r / "provenance.json").read_text()) for r in (latest_one, latest_two)]
    assert [p["run_id"] for p in provenance] == ["run-one", "run-two"]
    assert all(p["created_at"] and len(p["inputs"]) == n_inputs for p in provenance)
    assert [r["run_id"] for r in read_release_log(one.output_dir)] == ["run-one"]
    manifest = json.loads((latest_one / "manifest.json").read_text())
    assert not {"created_at", "run_id", "published_at", "retrieved_at"} & set(manifest)
    assert all("retrieved_at" not in i for i in manifest["inputs"])
    print(f"idempotency: two full runs in parallel in {elapsed:.1f} s; release {latest_one.name}")
