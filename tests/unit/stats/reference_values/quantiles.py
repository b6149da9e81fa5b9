"""Published PHEindicatormethods quantiles, the reference of transforms.stats.quantiles and its SQL functions.

[PHE-Q]  ukhsa-collaboration/PHEindicatormethods, tests/testthat/testdata_Quantiles.xlsx
         (last changed in commit 3bb3a676ccc3ea97eddce1a65d8edc27232b7d56,
         2023-09-19; read at HEAD 093fd288d8f8949dbcfbed70049dbbf385b6141d),
         sheet "testdata_Quantiles": columns ParentCode, AreaCode, Polarity, Value,
         Test, GroupSet and the expected quantile QuantileInGrp, used by
         tests/testthat/testQuantiles.R for phe_quantile().  The same workbook
         is the reference of PHStatsMethods/tests/test_quantiles.py in
         DataS-DHSC/PHStatsMethods (the package's Python port).  Values were
         read with openpyxl and are copied here unchanged (row numbers are
         spreadsheet rows).  Polarity "RAG - Low is good" means invert = TRUE
         and "RAG - High is good" invert = FALSE (data-raw/LoadTestdata.R).

Used by tests/unit/stats/test_quantiles.py and tests/unit/udfs/test_udfs_quantiles.py.
"""

# [PHE-Q] Test "GooddataDups", GroupSet "IndSexReg": tied values, deciles within
# region, invert from the Polarity field (TRUE for Region1, FALSE for Region2).
# (ParentCode, invert, Value, QuantileInGrp)
DUPS = [
    ("Region1", True, 182.71, 1),  # xlsx row 458
    ("Region1", True, 175.99, 1),  # xlsx row 459
    ("Region1", True, 169.27, 2),  # xlsx row 460
    ("Region1", True, 169.27, 2),  # xlsx row 461
    ("Region1", True, 155.83, 4),  # xlsx row 462
    ("Region1", True, 149.11, 4),  # xlsx row 463
    ("Region1", True, 142.39, 5),  # xlsx row 464
    ("Region1", True, 135.67, 6),  # xlsx row 465
    ("Region1", True, 128.95, 7),  # xlsx row 466
    ("Region1", True, 121.4, 7),  # xlsx row 467
    ("Region1", True, 108.9, 8),  # xlsx row 468
    ("Region1", True, 108.9, 8),  # xlsx row 469
    ("Region1", True, 101.6, 10),  # xlsx row 470
    ("Region2", False, 10, 1),  # xlsx row 471
    ("Region2", False, 11, 1),  # xlsx row 472
    ("Region2", False, 13, 1),  # xlsx row 473
    ("Region2", False, 15, 2),  # xlsx row 474
    ("Region2", False, 19, 2),  # xlsx row 475
    ("Region2", False, 20.2, 3),  # xlsx row 476
    ("Region2", False, 22.4, 3),  # xlsx row 477
    ("Region2", False, 24.6, 4),  # xlsx row 478
    ("Region2", False, 26.8, 4),  # xlsx row 479
    ("Region2", False, 29, 5),  # xlsx row 480
    ("Region2", False, 31.2, 5),  # xlsx row 481
    ("Region2", False, 33.4, 6),  # xlsx row 482
    ("Region2", False, 35.6, 6),  # xlsx row 483
    ("Region2", False, 37.8, 6),  # xlsx row 484
    ("Region2", False, 37.8, 6),  # xlsx row 485
    ("Region2", False, 42.2, 7),  # xlsx row 486
    ("Region2", False, 44.4, 8),  # xlsx row 487
    ("Region2", False, 46.6, 8),  # xlsx row 488
    ("Region2", False, 46.6, 8),  # xlsx row 489
    ("Region2", False, 51, 9),  # xlsx row 490
    ("Region2", False, 53.2, 10),  # xlsx row 491
    ("Region2", False, 55.4, 10),  # xlsx row 492
]

# [PHE-Q] Test "Gooddata", GroupSet "IndSexReg", IndSexRef "40501Female"
# ("Under 75 mortality rate from cancer", "RAG - Low is good" -> invert TRUE),
# deciles within region; three of the nine regions: E12000004 has only 9 areas
# (no deciles), E12000009 has an area without a value.
# (ParentCode, AreaCode, Value, QuantileInGrp)
REGIONS = [
    ("E12000001", "E06000057", 118.7460481, 10),  # row 2
    ("E12000001", "E08000023", 131.2778276, 9),  # row 3
    ("E12000001", "E08000024", 137.109864, 8),  # row 4
    ("E12000001", "E06000005", 137.7256526, 7),  # row 5
    ("E12000001", "E08000022", 138.9005229, 6),  # row 6
    ("E12000001", "E06000047", 143.263302, 6),  # row 7
    ("E12000001", "E06000004", 145.5966707, 5),  # row 8
    ("E12000001", "E08000037", 146.6971262, 4),  # row 9
    ("E12000001", "E06000003", 153.6912833, 3),  # row 10
    ("E12000001", "E06000002", 155.763081, 2),  # row 11
    ("E12000001", "E08000021", 157.1222286, 1),  # row 12
    ("E12000001", "E06000001", 171.2170455, 1),  # row 13
    ("E12000004", "E06000017", 98.48648252, None),  # row 52
    ("E12000004", "E10000018", 112.6465977, None),  # row 53
    ("E12000004", "E10000019", 118.8763694, None),  # row 54
    ("E12000004", "E06000016", 120.8241528, None),  # row 55
    ("E12000004", "E06000015", 122.377236, None),  # row 56
    ("E12000004", "E10000021", 123.070999, None),  # row 57
    ("E12000004", "E10000007", 126.0275044, None),  # row 58
    ("E12000004", "E10000024", 128.9180349, None),  # row 59
    ("E12000004", "E06000018", 145.6352043, None),  # row 60
    ("E12000009", "E06000025", 99.09132822, 10),  # row 138
    ("E12000009", "E06000054", 105.9141688, 9),  # row 139
    ("E12000009", "E10000013", 106.6076931, 9),  # row 140
    ("E12000009", "E10000027", 108.3384726, 8),  # row 141
    ("E12000009", "E10000009", 108.5979467, 7),  # row 142
    ("E12000009", "E06000022", 109.4761072, 7),  # row 143
    ("E12000009", "E10000008", 110.2726168, 6),  # row 144
    ("E12000009", "E06000024", 112.0092179, 5),  # row 145
    ("E12000009", "E06000052", 116.1820437, 5),  # row 146
    ("E12000009", "E06000027", 123.2100694, 4),  # row 147
    ("E12000009", "E06000029", 125.3350716, 3),  # row 148
    ("E12000009", "E06000030", 126.0517496, 3),  # row 149
    ("E12000009", "E06000028", 129.1985965, 2),  # row 150
    ("E12000009", "E06000026", 130.8044487, 1),  # row 151
    ("E12000009", "E06000023", 134.7667592, 1),  # row 152
    ("E12000009", "E06000053", None, None),  # row 153
]

# [PHE-Q] Test "Gooddata", GroupSet "IndSex", IndSexRef "90366Female"
# ("RAG - High is good" -> invert FALSE), septiles (nquantiles = 7) over all 152
# areas: spreadsheet rows 306-457, already sorted by Value (two missing values
# last).  QuantileInGrp in those rows is 1 x22, 2 x21, 3 x22, 4 x21, 5 x22,
# 6 x21, 7 x21, then missing x2.
SEPTILE_VALUES = [
    79.4242,
    79.45611,
    79.58215,
    80.12789,
    80.28778,
    80.28947,
    80.53352,
    80.56376,
    80.5768,
    80.63567,
    80.94566,
    80.95126,
    80.96779,
    81.10001,
    81.11672,
    81.15073,
    81.22997,
    81.25647,
    81.25743,
    81.29486,
    81.32928,
    81.3349,
    81.35546,
    81.35759,
    81.37178,
    81.53433,
    81.54632,
    81.54834,
    81.56481,
    81.60301,
    81.6273,
    81.65246,
    81.68566,
    81.85089,
    81.88093,
    81.89904,
    81.90582,
    81.91188,
    81.98873,
    82.08973,
    82.15691,
    82.16335,
    82.16885,
    82.23396,
    82.24794,
    82.28151,
    82.29398,
    82.29711,
    82.32292,
    82.34826,
    82.35576,
    82.36673,
    82.36955,
    82.37396,
    82.4468,
    82.55837,
    82.59956,
    82.63069,
    82.6424,
    82.65352,
    82.66577,
    82.69331,
    82.69888,
    82.7029,
    82.7917,
    82.79916,
    82.80399,
    82.81213,
    82.82672,
    82.88867,
    82.90534,
    82.92701,
    82.94682,
    82.9572,
    83.00369,
    83.00592,
    83.04441,
    83.09524,
    83.17202,
    83.17446,
    83.20607,
    83.32301,
    83.35041,
    83.35481,
    83.35818,
    83.3606,
    83.3807,
    83.39545,
    83.41589,
    83.47444,
    83.50889,
    83.53638,
    83.5604,
    83.56296,
    83.59198,
    83.60254,
    83.61302,
    83.64126,
    83.72312,
    83.72423,
    83.73144,
    83.74114,
    83.77215,
    83.77527,
    83.81223,
    83.81441,
    83.93505,
    83.95118,
    83.99768,
    84.01993,
    84.02901,
    84.06265,
    84.11249,
    84.13635,
    84.155,
    84.18526,
    84.18899,
    84.19122,
    84.19199,
    84.20025,
    84.21341,
    84.23204,
    84.24973,
    84.27748,
    84.3357,
    84.33809,
    84.37086,
    84.38175,
    84.4947,
    84.53047,
    84.5342,
    84.55967,
    84.5851,
    84.60688,
    84.62122,
    84.66648,
    84.88183,
    84.89868,
    84.91086,
    84.95962,
    84.98198,
    85.10595,
    85.11345,
    85.15871,
    85.44011,
    85.88791,
    85.93045,
    86.02808,
    86.44572,
    86.75119,
    None,
    None,
]
SEPTILE_EXPECTED = [1] * 22 + [2] * 21 + [3] * 22 + [4] * 21 + [5] * 22 + [6] * 21 + [7] * 21 + [None] * 2
