"""Optional published aggregates: absent ones are skipped and said so; present ones are checked.

Uses the pipeline's own ingest and validate steps on a workspace under tmp_path.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.support import SHARED_DATA, write_config
from transforms import pipeline
from transforms.build import build_variables
from transforms.config import load_config
from transforms.runstate import RunState

ADMISSIONS = SHARED_DATA / "hospital_admissions_hscp_simd_20230706.csv"
AE_MONTHLY = SHARED_DATA / "monthly_ae_activity_202404.csv"


def test_an_absent_optional_input_is_recorded_and_the_run_goes_on(tmp_path):
    cfg = load_config(write_config(tmp_path, public_ae_monthly=tmp_path / "absent.csv"), environ={})
    state = pipeline.ingest(cfg, "optional-absent")
    assert state.not_supplied == ["public_ae_monthly"]
    assert "public_ae_monthly" not in state.inputs
    assert RunState.load(cfg.runs_dir, "optional-absent").not_supplied == ["public_ae_monthly"]
    assert build_variables(cfg, state)["inputs"]["public_ae_monthly"] == {
        "vintage": "",
        "is_synthetic": False,
        "supplied": False,
    }


@pytest.mark.skipif(not (ADMISSIONS.exists() and AE_MONTHLY.exists()), reason="../shared/data is not beside this clone")
def test_published_aggregates_are_archived_validated_and_staged(tmp_path):
    cfg = load_config(
        write_config(tmp_path, public_admissions_hscp_simd=ADMISSIONS, public_ae_monthly=AE_MONTHLY), environ={}
    )
    pipeline.ingest(cfg, "optional-present")
    state = pipeline.validate(cfg, "optional-present")
    staged = pipeline.run_dir(cfg, "optional-present") / "staged"
    for name, source in (("public_admissions_hscp_simd", ADMISSIONS), ("public_ae_monthly", AE_MONTHLY)):
        assert not state.inputs[name].restricted
        rows = len(pd.read_csv(source, dtype=str))
        assert len(pd.read_parquet(staged / f"{name}.parquet")) == rows
    variables = build_variables(cfg, state)["inputs"]
    assert variables["public_admissions_hscp_simd"]["supplied"] and variables["public_ae_monthly"]["supplied"]
    assert variables["public_ae_monthly"]["vintage"] == state.inputs["public_ae_monthly"].vintage
    # The episode-level columns the contract does not use are named in a warning.
    assert any("NumberOver12HoursEpisode" in w for w in state.read_warnings["public_ae_monthly"])
