"""Published PHEindicatormethods DSR test data: the reference of transforms.stats.standardised.

The same tables check its SQL function dsr() (transforms.udfs.standardised).

[PHE-DSR-ISR] ukhsa-collaboration/PHEindicatormethods,
              tests/testthat/testdata_DSR_ISR.xlsx (last changed in commit
              bde3f676b8378ab8ca14a7a015ee963f2c72e900, 2024-12-05; read at
              HEAD 093fd288d8f8949dbcfbed70049dbbf385b6141d).  Input sheets
              "testdata_multiarea" (A1:D58) and "testdata_1976" (A1:D19);
              expected-output sheet "testresults_DSR" (A1:J13).  These are
              the expected outputs of calculate_dsr() (R/DSR.R) in
              tests/testthat/testDSRs.R (data loaded by
              data-raw/LoadTestdata.R, which appends esp2013 to the
              multiarea data positionally).

Numbers from the spreadsheets were read from their cached cell values with
openpyxl and are copied in full precision; they were not computed by this code
base.

Used by tests/unit/stats/test_standardised.py and tests/unit/udfs/test_udfs_standardised.py.
"""

# Input data: [PHE-DSR-ISR] sheet "testdata_multiarea" (19 ESP2013 bands per
# area, in ESP order; the sheet labels the 55-59 band "55-69", a typo that
# does not matter because PHE appends esp2013 by position).  The same counts
# and populations are in "testdata_multiarea_isr".

POP = [636, 558, 609, 543, 384, 594, 669, 843, 660, 576, 606, 522, 426, 273, 300, 288, 153, 123, 207]  # D2:D20
COUNTS = {
    "testdata_big": [127, 25, 18, 21, 12, 27, 48, 27, 29, 32, 32, 34, 45, 65, 38, 68, 74, 82, 91],  # C2:C20
    "testdata_small": [12, 4, 3, 2, 3, 4, 8, 2, 2, 3, 4, 5, 6, 8, 5, 6, 5, 5, 4],  # C21:C39
    # C40:C58; C42 (band 10-14) is empty in the sheet, i.e. NA, which PHE treats as 0.
    "testdata_tiny": [0, 0, None, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 2, 3],
}

# [PHE-DSR-ISR] sheet "testresults_DSR": (area, total_count, total_pop, value,
# lower95_0cl, upper95_0cl, lower99_8cl, upper99_8cl); rows 2-4 per 10,000,
# rows 6-8 per 100,000.  Row 4/8 (tiny, total count 9): all NA,
# statistic "dsr NA for total count < 10".
PHE_DSR = {
    10000: [
        ("testdata_big", 895, 8970, 1043.0247991469423, 971.770906798568, 1117.894091547925,
         932.3287880219904, 1162.0595999522059),
        ("testdata_small", 91, 8970, 110.3212025300104, 87.7455767536709, 136.70882227251795,
         76.36420357939879, 153.00328948244763),
        ("testdata_tiny", 9, 8970, None, None, None, None, None),
    ],
    100000: [
        ("testdata_big", 895, 8970, 10430.247991469423, 9717.709067985681, 11178.94091547925,
         9323.287880219903, 11620.595999522058),
        ("testdata_small", 91, 8970, 1103.212025300104, 877.455767536709, 1367.0882227251795,
         763.6420357939879, 1530.0328948244762),
        ("testdata_tiny", 9, 8970, None, None, None, None, None),
    ],
}  # fmt: skip

# [PHE-DSR-ISR] sheet "testdata_1976" B2:D19: 18 bands (0-4 ... 80-84, 85+)
# with the 1976 European Standard Population as a user-supplied standard.
DSR_1976_COUNTS = [127, 25, 18, 21, 12, 27, 48, 27, 29, 32, 32, 34, 45, 65, 38, 68, 74, 82]
DSR_1976_POP = [636, 558, 609, 543, 384, 594, 669, 843, 660, 576, 606, 522, 426, 273, 300, 288, 153, 123]
ESP1976 = [8000, 7000, 7000, 7000, 7000, 7000, 7000, 7000, 7000, 7000, 7000, 6000, 5000, 4000, 3000, 2000,
           1000, 1000]  # fmt: skip
# "testresults_DSR" row 9 (per 100,000): total_count 804, total_pop 8763,
# value 8592.097585022366, 95% limits 7991.160931442103 and 9225.253880318318.
# (Its 99.8% cells, G9:H9 = 76592.8..., 95992.1..., are about ten times the
# value and are not used by PHE's tests, which select columns 2:6 of this
# row; they are not used here either.)
