"""Constants with a published source: the 2013 European Standard Population,
the confidence levels used for indicators and the DSR publication threshold.

Each constant names its source beside it.  Functions elsewhere in
:mod:`transforms.stats` take these as defaults; nothing here is a formula.

European Standard Population 2013 (ESP2013)
-------------------------------------------
Source: Eurostat (2013). *Revision of the European Standard Population:
Report of Eurostat's task force, 2013 edition.* Methodologies and Working
papers, cat. no. KS-RA-13-028-EN-N, ISBN 978-92-79-31094-2,
doi:10.2785/11470.  The report gives the ESP in 21 groups: 0, 1-4, 5-9, ...,
85-89, 90-94 and 95+ (1000, 4000, 5500, ..., 1500, 800, 200; total 100,000).
(The number of the table holding it was not checked against the PDF for this
module, so none is quoted.)

The 19-band form used here joins age 0 with 1-4 (1000 + 4000 = 5000) and
90-94 with 95+ (800 + 200 = 1000).  It is the form used by

* PHEindicatormethods (github.com/ukhsa-collaboration/PHEindicatormethods),
  ``data-raw/LoadTestdata.R`` and the ``esp2013`` dataset documented in
  ``R/data.R`` ("nineteen 5-year age band populations ... 0-4, 5-9, 10-14 ...
  85-89, 90+"): ``5000 5500 5500 5500 6000 6000 6500 7000 7000 7000 7000 6500
  6000 5500 5000 4000 2500 1500 1000``;
* ScotPHO (github.com/Public-Health-Scotland/scotpho-indicator-production,
  ``functions/helper functions/calculate_easr.R``, ``epop_age = "normal"``:
  ``age_grp`` 1..19 recoded to the same 19 values), with the single-year to
  band mapping of ``functions/helper functions/create_agegroups.R``
  (0-4 -> 1, ..., 85-89 -> 18, 90+ -> 19).

The three sources agree value for value (checked when this module was
written; ``tests/unit/stats/test_standardised.py`` re-checks the total and the
collapse from the 21-group table).  The dbt seed ``dbt_project/seeds/esp2013.csv``
holds the same bands and weights (``tests/unit/udfs/test_udfs_standardised.py``
checks that they agree).
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

__all__ = [
    "CONF_95",
    "CONF_998",
    "CONF_LEVELS",
    "DSR_MIN_COUNT",
    "ESP2013_BANDS",
    "ESP2013_LOWER_AGES",
    "ESP2013_WEIGHTS",
    "ESP2013",
    "ESP2013_TOTAL",
]

# ---------------------------------------------------------------------------
# Confidence levels
#
# Source: PHE, "Technical Guide: Confidence Intervals" (2018) and APHO
# Technical Briefing 3 (Eayres 2008): indicators are shown with 95% limits
# and 99.8% limits (about 2 and 3 standard deviations); PHEindicatormethods
# accepts exactly the pair c(0.95, 0.998) when two levels are requested
# (``R/DSR.R``, ``R/Proportions.R``, ``R/ISRatio.R``).  ScotPHO profiles use
# the 95% level.  The corresponding normal quantiles (1.959963984540054 and
# 3.090232306167813) are computed by scipy where needed, not stored.

CONF_95 = 0.95
CONF_998 = 0.998
CONF_LEVELS = (CONF_95, CONF_998)

# ---------------------------------------------------------------------------
# DSR publication threshold
#
# Source: PHEindicatormethods ``calculate_dsr`` (``R/DSR.R``): "When the total
# count is < 10 DSRs are not reliable and will therefore be suppressed in the
# output" (value and limits NA, statistic "dsr NA for total count < 10"); PHE
# Fingertips Public Health Technical Guidance, DSR chapter.

DSR_MIN_COUNT = 10

# ---------------------------------------------------------------------------
# ESP2013, 19 bands (sources in the module docstring)

ESP2013_BANDS: tuple[str, ...] = (
    "0-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44",
    "45-49", "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84",
    "85-89", "90+",
)  # fmt: skip

#: Lowest single year of age in each band (0, 5, ..., 90).
ESP2013_LOWER_AGES: np.ndarray = np.arange(0, 95, 5)
ESP2013_LOWER_AGES.setflags(write=False)

#: Standard population of each band, in the order of ``ESP2013_BANDS``.
ESP2013_WEIGHTS: np.ndarray = np.array(
    [5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000,
     7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000],
    dtype=float,
)  # fmt: skip
ESP2013_WEIGHTS.setflags(write=False)

#: Read-only mapping band label -> standard population.
ESP2013 = MappingProxyType(dict(zip(ESP2013_BANDS, ESP2013_WEIGHTS.tolist(), strict=False)))

ESP2013_TOTAL = 100_000.0
