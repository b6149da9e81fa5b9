"""Published PHEindicatormethods funnel plot outputs, the reference of transforms.stats.funnels and its SQL functions.

[PHE-FUN]  ukhsa-collaboration/PHEindicatormethods, tests/testthat/ at HEAD
           093fd288d8f8949dbcfbed70049dbbf385b6141d (2024-12-13); the expected
           outputs of calculate_funnel_limits() and assign_funnel_significance()
           used by tests/testthat/testFunnels.R:
           - testdata_funnel_prop_inputs.csv, testdata_funnel_prop_outputs.csv and
             testdata_funnel_prop_outputs_with_axis_variation.csv (last changed in
             commit 3352ce5d861197880cae0ccb329a0ce50424bfda, 2021-06-24);
           - testdata_funnel_rate_input_funnels.csv (39d5df1f793223db24173db8971ba3c2f834b8d8),
             testdata_funnel_rate_outputs.csv and testdata_funnel_rate_outputs_2.csv
             (a3c822fe3cad2ca2a93cad5b2727f8b0c1627b64, 2022-06-28);
           - testdata_funnel_rate_dsr_inputs.csv (5adcb8c43562e1a897d509350306a5fed2514480).
           The numbers are copied from the CSV files as published (they were
           produced by R, not by this code base).

Used by tests/unit/stats/test_funnels.py and tests/unit/udfs/test_udfs_funnels.py.
"""

from __future__ import annotations

import numpy as np

# ---------------------------------------------------------------------------
# Proportions

# [PHE-FUN] testdata_funnel_prop_outputs.csv (statistic "proportion",
# multiplier 100, all 303 areas of testdata_funnel_prop_inputs.csv), CSV rows
# 2, 3, 4, 11, 32, 52, 72, 101.  Baseline (the pooled proportion) 80.642448.
# Columns: Population, Lower2s0025limit, Upper2s0025limit, Lower3s0001limit, Upper3s0001limit
PROP_BASELINE = 80.642448
PROP_LIMITS = [
    (1, 3.204264, 100, 0, 100),
    (2, 25.885383, 100, 0, 100),
    (3, 35.933491, 100, 10.150815, 100),
    (10, 56.154344, 100, 42.03259, 100),
    (83, 72.142503, 89.142393, 67.240771, 94.044125),
    (664, 77.637263, 83.647632, 75.904239, 85.380656),
    (5348, 79.583537, 81.701359, 78.972886, 82.31201),
    (110000, 80.408963, 80.875933, 80.274317, 81.010578),
]

# [PHE-FUN] testdata_funnel_prop_outputs_with_axis_variation.csv (the 97 areas
# with denominator < 31000), CSV rows 2, 3, 51, 101; baseline 82.18033788.
PROP_AXIS_BASELINE = 82.18033788
PROP_AXIS_LIMITS = [
    (10000, 81.43030244, 82.93037332, 80.99777342, 83.36290233),
    (10121, 81.43479938, 82.92587637, 81.00486365, 83.3558121),
    (18055, 81.62214661, 82.73852914, 81.30024992, 83.06042583),
    (33000, 81.76745696, 82.5932188, 81.52935757, 82.83131819),
]


# [PHE-FUN] testdata_funnel_prop_inputs.csv: Area, numerator, denominator and
# the package's significance (CSV row numbers in the comments).  Compared with
# the published baseline 80.642448 of all 303 areas.
PROP_AREAS = [
    ("New Forest PCT", 35078.4880000, 41980, "High (0.001)"),  # 2
    ("Norwich PCT", 24803.6256000, 31824, "Low (0.001)"),  # 3
    ("South Gloucestershire PCT", 50050.7443000, 61921, "Not significant"),  # 4
    ("Havering PCT", 48686.4364000, 59804, "High (0.001)"),  # 5
    ("Kingston PCT", 35795.6324000, 45449, "Low (0.001)"),  # 6
    ("Bromley PCT", 66969.6742000, 80002, "High (0.001)"),  # 7
    ("Greenwich PCT", 48514.4460000, 64755, "Low (0.001)"),  # 8
    ("Barnet PCT", 70670.2858000, 93122, "Low (0.001)"),  # 9
    ("Central Derby PCT", 24648.7596000, 30521, "Not significant"),  # 17
    ("North East Lincolnshire PCT", 31759.3850000, 39350, "Not significant"),  # 19
    ("Blackburn with Darwen PCT", 29561.6517000, 36627, "Not significant"),  # 29
    ("West Norfolk PCT", 26789.2380000, 33012, "High (0.025)"),  # 44
    ("North Tees PCT", 36850.0492000, 45449, "High (0.025)"),  # 72
    ("Mid-Hampshire PCT", 34502.0685000, 42485, "High (0.025)"),  # 80
    ("Sheffield West PCT", 23910.2469000, 29457, "High (0.025)"),  # 92
    ("North Devon PCT", 30277.5312000, 37828, "Low (0.025)"),  # 121 (the only one)
    ("East Devon PCT", 21139.2936000, 25992, "High (0.025)"),  # 123
    ("South East Hertfordshire PCT", 38045.3716000, 46958, "High (0.025)"),  # 143
    ("Royston, Buntingford and Bishop's Stortford PCT", 16924.1296000, 20776, "High (0.025)"),  # 144
    ("North Norfolk PCT", 18504.9982000, 22739, "High (0.025)"),  # 203
    ("South Tyneside PCT", 29709.0543000, 36583, "High (0.025)"),  # 227
    ("Witham, Braintree and Halstead Care Trust", 28537.4507000, 35201, "High (0.025)"),  # 302
]


# ---------------------------------------------------------------------------
# Rates: benchmark and points by event count

# [PHE-FUN] testdata_funnel_rate_input_funnels.csv, columns ev, rate (all 50 rows).
RATE_INPUTS = [
    (414, 184),
    (462, 102),
    (178, 83),
    (525, 118),
    (194, 121),
    (937, 125),
    (817, 112),
    (117, 190),
    (298, 146),
    (228, 140),
    (243, 87),
    (13, 70),
    (373, 90),
    (664, 139),
    (601, 109),
    (602, 65),
    (767, 165),
    (708, 143),
    (90, 55),
    (952, 135),
    (347, 135),
    (648, 88),
    (988, 167),
    (354, 99),
    (839, 83),
    (25, 53),
    (518, 62),
    (425, 118),
    (648, 176),
    (765, 101),
    (210, 71),
    (931, 138),
    (589, 74),
    (592, 84),
    (554, 161),
    (870, 79),
    (372, 189),
    (843, 170),
    (142, 159),
    (543, 113),
    (489, 191),
    (620, 116),
    (774, 200),
    (904, 171),
    (936, 128),
    (841, 134),
    (22, 185),
    (922, 100),
    (955, 123),
    (308, 155),
]
RATE_EV = np.array([r[0] for r in RATE_INPUTS], dtype=float)
RATE_RATE = np.array([r[1] for r in RATE_INPUTS], dtype=float)

# [PHE-FUN] testdata_funnel_rate_outputs.csv: calculate_funnel_limits(ev, rate,
# multiplier = 1e5, statistic = "rate", rate_type = "dsr", years_of_data = 3)
# on RATE_INPUTS; baseline 116.1720835.  CSV rows 2, 3, 6, 11, 12, 21, 51, 101.
# Columns: Events, lower_2s_population_1_year, lower_2s_limit,
# upper_2s_population_1_year, upper_2s_limit, lower_3s_population_1_year,
# lower_3s_limit, upper_3s_population_1_year, upper_3s_limit
RATE_DSR_BASELINE = 116.1720835
RATE_DSR_POINTS = [
    (1, 1598.675694, 20.85059119, 7.264481402, 4588.535848, 2649.348525, 12.58170943, 0.287087625, 116108.569),
    (2, 2072.984403, 32.15975314, 69.49732367, 959.2695538, 3221.906682, 20.69168143, 13.02722321, 5117.48863),
    (5, 3348.002593, 49.78092521, 465.8280129, 357.7858395, 4721.370883, 35.30048174, 212.14848, 785.6132963),
    (10, 5276.757672, 63.17010446, 1375.943768, 242.2579623, 6924.776769, 48.13632908, 849.4639547, 392.4043292),
    (11, 5647.380657, 64.92685529, 1575.582188, 232.7182102, 7342.35451, 49.93856755, 1001.813699, 366.0028477),
    (20, 8862.823734, 75.22057153, 3505.293872, 190.1885237, 10915.38389, 61.07587907, 2570.385518, 259.3644657),
    (94, 33006.2688, 94.93146143, 21795.70245, 143.7592268, 36723.73682, 85.32174568, 19184.7108, 163.3245018),
    (1360, 411529.9259, 110.158048, 369759.5622, 122.6021934, 424043.2424, 106.9073359, 358342.3275, 126.5084525),
]

# [PHE-FUN] testdata_funnel_rate_outputs_2.csv: the same inputs with the largest
# ev (988) set to 5, rate_type = "crude"; baseline 114.8591735.  Same rows.
RATE_CRUDE_BASELINE = 114.8591735
RATE_CRUDE_POINTS = [
    (1, 1616.949526, 20.61494982, 7.347518827, 4536.678859, 2679.632184, 12.4395182, 0.290369211, 114796.3768),
    (2, 2096.679871, 31.79630214, 70.2917202, 948.4284419, 3258.735028, 20.45783597, 13.17613227, 5059.653722),
    (5, 3386.272291, 49.21832987, 471.1527094, 353.7423501, 4775.339014, 34.90153604, 214.5734657, 776.7347474),
    (10, 5337.07421, 62.45619233, 1391.671639, 239.5201023, 7003.931164, 47.59232002, 859.1738425, 387.9696015),
    (11, 5711.93364, 64.19308938, 1593.592047, 230.088163, 7426.282072, 49.37419062, 1013.265037, 361.8664943),
    (20, 8964.13118, 74.37047197, 3545.361505, 188.0391226, 11040.15335, 60.38563467, 2599.766582, 256.433278),
    (94, 33383.55045, 93.85860074, 22044.84054, 142.1345429, 37143.51139, 84.35748846, 19404.00367, 161.4787024),
    (1344, 411466.9163, 108.8787415, 369466.4508, 121.2559352, 424051.9679, 105.6474286, 357990.2328, 125.143079),
]


# ---------------------------------------------------------------------------
# Rates: significance

# [PHE-FUN] testdata_funnel_rate_dsr_inputs.csv, all 40 rows: count, rate_dsr,
# pop, rate_crude_per_100000, and the expected significance in columns
# dsr_per_100000_with_0 (D), dsr_per_100_with_0 (d), crude_per_100000_with_0 (C),
# crude_per_100_with_0 (c), dsr_per_100000_without_0, crude_per_100000_without_0
# (the last two for the rows with count > 0).  Labels abbreviated:
# H3 = "High (0.001)", H2 = "High (0.025)", N = "Not significant",
# L2 = "Low (0.025)", L3 = "Low (0.001)", NA = "Not applicable for events less than 10 for dsrs".
SIG_LABELS = {
    "H3": "High (0.001)",
    "H2": "High (0.025)",
    "N": "Not significant",
    "L2": "Low (0.025)",
    "L3": "Low (0.001)",
    "NA": "Not applicable for events less than 10 for dsrs",
}
# count, rate_dsr, pop, rate_crude_per_100000, D, d, C, c, dsr_without_0, crude_without_0
RATE_SIG = [
    (2419, 907.6174266, 264102, 915.9339952, "H3", "H3", "H3", "H3", "H3", "H3"),
    (2337, 948.5620216, 259711, 899.8463677, "H3", "H3", "H3", "H3", "H3", "H3"),
    (2291, 799.9690496, 289247, 792.056616, "H3", "H3", "H3", "H3", "H3", "H3"),
    (2242, 852.5637927, 265029, 845.9451607, "H3", "H3", "H3", "H3", "H3", "H3"),
    (2218, 868.5358183, 284649, 779.2052668, "H3", "H3", "H3", "H3", "H3", "H3"),
    (2159, 769.6242217, 293578, 735.409329, "H3", "H3", "H3", "H3", "H3", "H3"),
    (2130, 752.3254955, 286718, 742.8902266, "H2", "H2", "H3", "H3", "H2", "H3"),
    (2111, 710.2689402, 307381, 686.7698394, "N", "N", "N", "N", "N", "N"),
    (2105, 815.3530325, 274145, 767.8418355, "H3", "H3", "H3", "H3", "H3", "H3"),
    (2083, 717.7035916, 297424, 700.3469794, "N", "N", "H2", "H2", "N", "N"),
    (2078, 755.8016993, 272628, 762.2107781, "H3", "H3", "H3", "H3", "H3", "H3"),
    (2062, 825.9742848, 269656, 764.6779601, "H3", "H3", "H3", "H3", "H3", "H3"),
    (2061, 702.2972468, 294692, 699.3742619, "N", "N", "H2", "H2", "N", "N"),
    (2033, 785.6210132, 277710, 732.0586223, "H3", "H3", "H3", "H3", "H3", "H2"),
    (2033, 743.6763018, 259213, 784.2970839, "H2", "H2", "H3", "H3", "H2", "H3"),
    (2010, 781.8323058, 285516, 703.9885681, "H3", "H3", "H2", "H2", "H3", "N"),
    (2004, 772.6781064, 269449, 743.7400027, "H3", "H3", "H3", "H3", "H3", "H3"),
    (2002, 652.3391553, 290888, 688.2373972, "L3", "L3", "N", "N", "L3", "N"),
    (1977, 648.4969973, 287112, 688.5814595, "L3", "L3", "N", "N", "L3", "N"),
    (1944, 727.5777428, 286492, 678.5529788, "N", "N", "N", "N", "N", "N"),
    (1932, 625.6551186, 287012, 673.1425864, "L3", "L3", "N", "N", "L3", "N"),
    (1922, 688.5582424, 291277, 659.8529922, "N", "N", "N", "N", "N", "N"),
    (1912, 662.4465438, 289859, 659.631062, "L2", "L2", "N", "N", "L2", "N"),
    (1881, 627.1624732, 289653, 649.3977276, "L3", "L3", "N", "N", "L3", "L2"),
    (1844, 657.1114147, 282519, 652.6994645, "L2", "L2", "N", "N", "L2", "L2"),
    (1835, 724.8456714, 274220, 669.1707388, "N", "N", "N", "N", "N", "N"),
    (1833, 659.7820553, 280271, 654.009869, "L2", "L2", "N", "N", "L2", "L2"),
    (1825, 654.7053631, 284206, 642.1398563, "L3", "L3", "N", "N", "L3", "L2"),
    (1816, 624.4435507, 274508, 661.5472045, "L3", "L3", "N", "N", "L3", "N"),
    (1809, 646.7588823, 288384, 627.2886152, "L3", "L3", "L2", "L2", "L3", "L3"),
    (1798, 703.1689982, 287072, 626.3237097, "N", "N", "L2", "L2", "N", "L3"),
    (1754, 567.9922764, 282744, 620.3491498, "L3", "L3", "L3", "L3", "L3", "L3"),
    (1746, 617.7750715, 289208, 603.7177395, "L3", "L3", "L3", "L3", "L3", "L3"),
    (1709, 610.8327232, 287736, 593.9472294, "L3", "L3", "L3", "L3", "L3", "L3"),
    (1694, 608.5089462, 296175, 571.9591458, "L3", "L3", "L3", "L3", "L3", "L3"),
    (1688, 662.3775859, 303255, 556.6272609, "L2", "L2", "L3", "L3", "L2", "L3"),
    (1649, 667.6454503, 285959, 576.6560941, "L2", "L2", "L3", "L3", "L2", "L3"),
    (1553, 604.1141693, 274661, 565.4242867, "L3", "L3", "L3", "L3", "L3", "L3"),
    (1332, 469.5645784, 281425, 473.3054988, "L3", "L3", "L3", "L3", "L3", "L3"),
    (0, np.nan, 297820, 0, "NA", "NA", "L3", "L3", None, None),
]
SIG_COUNT = np.array([r[0] for r in RATE_SIG], dtype=float)
SIG_DSR = np.array([r[1] for r in RATE_SIG])
SIG_POP = np.array([r[2] for r in RATE_SIG], dtype=float)
SIG_CRUDE = np.array([r[3] for r in RATE_SIG])
