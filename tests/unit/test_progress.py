"""What a run shows: plain lines where nobody watches a terminal, and the closing summary."""

import json
import logging

from transforms import progress


def test_plain_mode_logs_each_input_and_the_build_every_tenth(caplog, monkeypatch):
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))  # configure() replaces them; restored after
    progress.configure(interactive=False)
    root.addHandler(caplog.handler)
    with caplog.at_level(logging.INFO, logger="transforms.progress"):
        assert list(progress.items(["a", "b"], step_name="validate", what="input")) == ["a", "b"]
        with progress.counter("build", "dbt nodes") as count:
            count.set_total(100)
            for node in range(100):
                count.advance(f"model.{node}")
    lines = [r.getMessage() for r in caplog.records if r.name == "transforms.progress"]
    assert lines[:2] == ["validate: input 1 of 2: a", "validate: input 2 of 2: b"]
    build = lines[2:]
    assert build[0] == "build: 1 of 100 dbt nodes done" and build[-1] == "build: 100 dbt nodes done"
    assert 10 <= len(build) <= 12  # about one line a tenth, not one a node


def test_step_times_are_kept_in_the_order_the_steps_ran():
    with progress.step("ingest"):
        pass
    with progress.step("validate"):
        pass
    seconds = progress.step_seconds()
    assert list(seconds)[-2:] == ["ingest", "validate"] and all(s >= 0 for s in seconds.values())


def test_the_summary_names_the_release_rows_suppression_and_step_times(tmp_path):
    manifest = {
        "release_id": "abc123",
        "synthetic": True,
        "outputs": [{"rows": 1200}, {"rows": 34}],
        "dataset": {"indicator_ids": ["a", "b", "c"]},
        "disclosure_control": {"threshold": 5, "primary": 7, "complementary": 3, "linked": 1},
        "inputs_not_supplied": ["public_ae_monthly"],
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    lines = progress.summary_lines(tmp_path, {"ingest": 1.25, "build": 125.0})
    assert lines == [
        "release abc123 (synthetic data)",
        "3 indicators, 1,234 rows in 2 files",
        "suppressed cells: 7 primary, 3 complementary, 1 linked (threshold 5)",
        "inputs not supplied: public_ae_monthly",
        "steps: ingest 1.2 s, build 2 min 5 s",
    ]


def test_summary_names_the_comparison_datasets_and_the_revisions(tmp_path):
    manifest = {
        "release_id": "def456",
        "synthetic": False,
        "outputs": [{"rows": 10}],
        "dataset": {"indicator_ids": ["a"]},
        "disclosure_control": {"threshold": 5, "primary": 0, "complementary": 0, "linked": 0},
        "comparisons": {"datasets": {"comparisons": 5400, "funnels": 900}},
        "revisions": {"previous_release_id": "abc123", "changes": {"added": 2, "removed": 0, "value revised": 12}},
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    lines = progress.summary_lines(tmp_path, {})
    assert lines[-2:] == [
        "comparisons: comparisons 5,400, funnels 900 rows",
        "revisions since abc123: 2 added, 12 value revised",
    ]
    manifest["revisions"] = {"previous_release_id": None, "changes": {}}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    assert progress.summary_lines(tmp_path, {})[-1] == "revisions: first release, nothing earlier to compare with"
