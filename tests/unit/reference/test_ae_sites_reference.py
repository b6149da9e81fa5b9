"""reference/ae_sites.csv: what transforms.reference.ae_sites derives, and usable by the A&E twin."""

import pandas as pd
import pytest

from tests.support import SHARED_DATA
from transforms.config import REPO_ROOT
from transforms.reference import ae_sites


@pytest.fixture(scope="module")
def committed():
    return ae_sites.load(REPO_ROOT / "reference")


@pytest.mark.skipif(not (SHARED_DATA / ae_sites.SOURCE_FILE).exists(), reason="../shared/data is not beside this clone")
def test_committed_table_equals_a_fresh_derivation(committed):
    pd.testing.assert_frame_equal(committed, ae_sites.derive(SHARED_DATA), check_dtype=False)


def test_every_board_has_sites_every_year(committed):
    geography = pd.read_parquet(REPO_ROOT / "reference" / "geography_dz2011.parquet")
    boards = set(geography["hb2019"])
    for year, group in committed.groupby("financial_year"):
        assert set(group["hb2019"]) == boards, year


def test_codes_and_counts_are_sane(committed):
    assert list(committed.columns) == ae_sites.COLUMNS
    assert committed["site_code"].str.fullmatch(r"[A-Z][0-9]{3}[A-Z]").all()
    assert set(committed["department_type"]) == {"ED", "MIU"}
    assert (committed["within_4_hours"] <= committed["attendances"]).all() and (committed["attendances"] > 0).all()
    assert not committed.duplicated(["site_code", "department_type", "financial_year"]).any()
    assert committed.groupby("site_code")["hb2019"].nunique().max() == 1
    assert committed["financial_year"].min() == 2008 and committed["financial_year"].max() == 2023
    scotland_2022 = committed.query("financial_year == 2022")
    assert 1_500_000 <= scotland_2022["attendances"].sum() <= 1_570_000  # PHS: 1.53 million in 2022/23
