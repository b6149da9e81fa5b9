"""Published PHEindicatormethods DSR and ISR test data: the reference of transforms.stats.standardised.

The same tables check its SQL functions (transforms.udfs.standardised).

[PHE-DSR-ISR] ukhsa-collaboration/PHEindicatormethods,
              tests/testthat/testdata_DSR_ISR.xlsx (last changed in commit
              bde3f676b8378ab8ca14a7a015ee963f2c72e900, 2024-12-05; read at
              HEAD 093fd288d8f8949dbcfbed70049dbbf385b6141d).  Input sheets
              "testdata_multiarea" (A1:D58), "testdata_multiarea_isr"
              (A1:F58), "refdata" (A1:C20), "testdata_1976" (A1:D19) and
              "testdata_err2" (A1:C39); expected-output sheets
              "testresults_DSR" (A1:J13) and "testresults_ISR" (A1:K17).
              These are the expected outputs of calculate_dsr() (R/DSR.R),
              calculate_ISRatio() (R/ISRatio.R) and calculate_ISRate()
              (R/ISRate.R) in tests/testthat/testDSRs.R, testISRatios.R and
              testISRates.R (data loaded by data-raw/LoadTestdata.R, which
              appends esp2013 to the multiarea data positionally).

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

# [PHE-DSR-ISR] sheet "refdata" B2:C20: reference counts and populations by band.
REF_COUNTS = [10303, 2824, 0, 3615, 3641, 3490, 3789, 3213, 3031, 2771, 3089, 3490, 3595, 4745, 5514, 7125,
              5694, 6210, 5757]  # fmt: skip
REF_POPS = [50520, 57173, 60213, 54659, 44345, 50128, 62163, 67423, 62899, 55463, 60479, 49974, 44140, 40888,
            37239, 30819, 18136, 15325, 13918]  # fmt: skip

# [PHE-DSR-ISR] sheet "testresults_ISR": observed, expected and ref_rate,
# then (value, lower95_0cl, upper95_0cl, lower99_8cl, upper99_8cl) for
# each presentation.  Rows 2-4: rate per 100,000; rows 5-7: rate per 1,000;
# rows 8-10: ratio x 1; rows 11-13: ratio x 100.  Columns B:I.
ISR_EXPECTED = 835.8835612311743  # C2:C13
ISR_REF_RATE = {100000: 9349.88309221102, 1000: 93.49883092211019}  # D2, D5
PHE_ISR = {
    "testdata_big": {
        "observed": 895, "method": "Byars",
        ("rate", 100000): (10011.137622091057, 9365.91600297888, 10689.097582910616, 9008.7578618655,
                           11089.02718538338),
        ("rate", 1000): (100.11137622091056, 93.6591600297888, 106.89097582910615, 90.087578618655,
                         110.8902718538338),
        ("ratio", 1): (1.0707232939020275, 1.0017147712553987, 1.143233287249895, 0.9635155619614437,
                       1.1860070415876287),
        ("ratio", 100): (107.07232939020275, 100.17147712553987, 114.3233287249895, 96.35155619614437,
                         118.60070415876287),
    },
    "testdata_small": {
        "observed": 91, "method": "Byars",
        ("rate", 100000): (1017.8922051511577, 819.521002506463, 1249.75926013832, 719.5132903528245,
                           1392.9381508991678),
        ("rate", 1000): (10.178922051511577, 8.19521002506463, 12.497592601383202, 7.195132903528244,
                         13.929381508991677),
        ("ratio", 1): (0.10886683770400503, 0.08765040101829405, 0.1336657632841891, 0.07695425528392111,
                       0.14897920510466744),
        ("ratio", 100): (10.886683770400502, 8.765040101829404, 13.366576328418912, 7.695425528392111,
                         14.897920510466744),
    },
    "testdata_tiny": {
        "observed": 9, "method": "Exact",
        ("rate", 100000): (100.6706576523123, 46.03303513307893, 191.10426659054028, 27.43190862554234,
                           253.4369635219236),
        ("rate", 1000): (1.006706576523123, 0.4603303513307893, 1.9110426659054027, 0.2743190862554234,
                         2.5343696352192358),
        ("ratio", 1): (0.010767049882813684, 0.004923380825095776, 0.02043921455549973,
                       0.0029339306550682617, 0.02710589651469021),
        ("ratio", 100): (1.0767049882813684, 0.4923380825095776, 2.043921455549973, 0.2933930655068262,
                         2.710589651469021),
    },
}  # fmt: skip

# [PHE-DSR-ISR] sheet "testdata_err2": Area1 is testdata_big with the 5-9
# population set to 0 (C3); "testresults_ISR" rows 14 and 16 (95% only):
# expected 808.3217400918253; rate per 100,000 10352.493261629017
# (9685.271141999323, 11053.570021432142); ratio x 100 110.72323749430866
# (103.58708281676485, 118.22147841228508).  PHE's test: "test n = 0".
ERR2_AREA1_POP = [636, 0, 609, 543, 384, 594, 669, 843, 660, 576, 606, 522, 426, 273, 300, 288, 153, 123, 207]
