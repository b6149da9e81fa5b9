"""Tests for transforms.stats.inequality (SII, RII, PAR) against published values.

Reference values:

[PHE-SII]  ukhsa-collaboration/PHEindicatormethods, tests/testthat/testdata_SII.xlsx
           (last changed in commit d246de861fb362334f90eb9f481ec8acef04a325,
           2023-05-09; read at HEAD 093fd288d8f8949dbcfbed70049dbbf385b6141d),
           sheet "testdata_SII": inputs (Quantile, Population, Value, LowerCL,
           UpperCL, StandardError) and the expected phe_sii() outputs (sii, rii,
           sii/rii lower and upper limits, Intercept) used by
           tests/testthat/testSII.R.  The inputs of the tests used here are three
           tables (records 1-20, 71-90 and 91-110); the other records cited reuse
           them unchanged (checked cell by cell).  The expected limits come from
           100,000-repetition simulations in R, so only the point estimates are
           deterministic; testSII.R itself compares limits with tolerance 0.05.
[PHE-DOC]  same repository, R/SII_function.R (roxygen "Calculation" section): "If
           quantile 1 then contains 12 percent of the total population, its
           relative rank is 0.12/2 [=0.06]. If quantile 2 includes 10 percent of
           the population, its relative rank is 0.12+(0.10/2)=0.17."
[SCOTPHO]  Public-Health-Scotland/scotpho-common-code, inequality_index_calculations.R
           (commit 7378daa7173d64ae8e0b0e0e60891f62f2c6c4d3): the example data
           value = c(100, 70, 45, 20, 5), population 1000 each, overall_value = 48
           and the PAR/SII/RII formulas that
           Public-Health-Scotland/scotpho-indicator-production
           functions/helper functions/calculate_inequality_measures.R (commit
           58df8ddb4bfc33865b8368176e9fddb2c5a626d7) uses in production.  The
           script publishes inputs only, so the expected SII/RII/PAR below are our
           own arithmetic, each derived by hand and checked by a second route.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.stats import norm

from transforms.stats.inequality import (
    DEFAULT_REPS,
    population_attributable_risk,
    relative_rank,
    scotpho_inequality_measures,
    slope_index_of_inequality,
)

# ---------------------------------------------------------------------------
# [PHE-SII] inputs: (Quantile, Population, Value, LowerCL, UpperCL, StandardError)

# Records 1-20, "default (e.g. life expectancy)", value_type 0.
LE = {
    "area1": [
        (1, 7291, 75.9334590103081, 72.7220530546453, 79.1448649659708, 1.638472426358545),
        (2, 7997, 78.3442382727843, 75.2509802190802, 81.4374963264884, 1.578192884542907),
        (3, 6105, 83.8360631041654, 80.8697295124759, 86.8023966958549, 1.5134355059640296),
        (4, 7666, 83.6375399664931, 80.157578356036, 87.1175015769501, 1.7754906175801293),
        (5, 5790, 80.4655031529559, 77.1308785969275, 83.8001277089842, 1.7013390591981388),
        (6, 6934, 81.1156759857022, 78.0499986811178, 84.1813532902866, 1.56412107376755),
        (7, 5918, 81.6930835718562, 79.011578491948, 84.3745886517644, 1.3681148366878566),
        (8, 5974, 84.1900062060987, 81.4457282769343, 86.9342841352631, 1.4001418005940802),
        (9, 7147, 80.5955641081472, 75.827185168894, 85.3639430474004, 2.4328463975781616),
        (10, 7534, 86.2894349578624, 83.2190593454592, 89.3598105702656, 1.5665181695934678),
    ],
    "area2": [
        (1, 21675, 70.54853186, 70.09853186, 70.99853186, 0.22959183673469533),
        (2, 20065, 71.57155734, 71.12155734, 72.14, 0.2598068010204095),
        (3, 19750, 72.48698671, 72.03698671, 73.21, 0.2992380841836735),
        (4, 24713, 73.51985519, 73.06985519, 73.7, 0.16075122704081746),
        (5, 20112, 73.14605425, 72.69605425, 75.8, 0.7918228954081618),
        (6, 19618, 76.15898712, 75.70898712, 78.76, 0.7783196122448984),
        (7, 22408, 78.65444871, 78.20444871, 79.77, 0.39937532908163315),
        (8, 19752, 80.56476961, 80.11476961, 81.21, 0.2793955076530606),
        (9, 18939, 80.85486627, 80.40486627, 81.30486627, 0.22959183673469533),
        (10, 19312, 79.9711253, 79.5211253, 80.9, 0.3517537500000029),
    ],
}

# Records 71-90, "rate (e.g. infant mortality)", value_type 1; StandardError is
# the SE of log(rate).
RATE = {
    "area1": [
        (1, 279012, 5.892219689475721, 5.614959662410748, 6.183085357576154, 0.02458749781093432),
        (2, 255993, 4.7345044591063035, 4.475920770781004, 5.0079519402470885, 0.028651772387909245),
        (3, 236961, 3.827634083245766, 3.586926055445024, 4.0844291026854505, 0.03313428067829554),
        (4, 214315, 3.8681380211371112, 3.6140791140579505, 4.1399822998098585, 0.03465674221781768),
        (5, 192812, 3.6771570234217785, 3.4166969870147965, 3.9573934822289045, 0.03747737394554521),
        (6, 183546, 3.1436261209723995, 2.8977176350029272, 3.4103317188858107, 0.041552591866051265),
        (7, 168593, 3.1258711808912585, 2.870493809285979, 3.4038909874130083, 0.04347834474318538),
        (8, 164822, 2.942568346458604, 2.6924041297904315, 3.2159015715579464, 0.045324801522114426),
        (9, 154836, 2.82879950399132, 2.57630573787527, 3.1059621495836955, 0.04769567606225466),
        (10, 138165, 2.7648101907140012, 2.501420619088458, 3.05584866618335, 0.05107105401330555),
    ],
    "area2": [
        (1, 13837, 4.89675, 4.77675, 4.97675, 0.010463435871035195),
        (2, 14519, 4.5678, 4.4478, 4.6478, 0.01122050955493271),
        (3, 14940, 4.67666, 4.55666, 4.75666, 0.010958123027823953),
        (4, 14599, 4.35666, 4.23666, 4.43666, 0.011766994423542733),
        (5, 12311, 3.9, 3.78, 3.98, 0.013152502465522992),
        (6, 21675, 3.8, 3.6799999999999997, 3.88, 0.013500612615903717),
        (7, 20065, 3.5, 3.38, 3.58, 0.014665074213694304),
        (8, 19750, 3.2, 3.08, 3.2800000000000002, 0.01604944525779827),
        (9, 24713, 3.21, 3.09, 3.29, 0.015999100476435324),
        (10, 20112, 2.8, 2.6799999999999997, 2.88, 0.01836058663905341),
    ],
}

# Records 91-110, "proportion (e.g. child obesity)", value_type 2; StandardError
# is the SE of logit(proportion).
PROP = {
    "area1": [
        (1, 34353, 0.21212121212121202, 0.207830499225555, 0.216476300812899, 0.013197018471840493),
        (2, 32112, 0.214281265570503, 0.209827711465288, 0.218803170788612, 0.013599402535469379),
        (3, 27715, 0.204077214504781, 0.19937351725899902, 0.208862933590925, 0.014903436058054755),
        (4, 25372, 0.19186504808450303, 0.187066648694241, 0.19675673996565, 0.015942525582502205),
        (5, 23889, 0.174808489262841, 0.170044640703038, 0.17967690552753499, 0.01703390526979317),
        (6, 23260, 0.16663800515907098, 0.16190410576997, 0.17148199783416998, 0.017593885815626962),
        (7, 23180, 0.156039689387403, 0.151425075468518, 0.160768288675927, 0.018098141690297317),
        (8, 24193, 0.146571322283305, 0.142170753783533, 0.151084110529924, 0.018176743057472546),
        (9, 23609, 0.140370197805921, 0.13599767093637602, 0.144859737537153, 0.01873422095544007),
        (10, 24488, 0.120875530872264, 0.11685200990738201, 0.125017980504761, 0.019601724030759937),
    ],
    "area2": [
        (1, 36111, 0.12079421782836301, 0.117473271937339, 0.12419583434331499, 0.016146775138005474),
        (2, 31803, 0.117410307203723, 0.11391851782536101, 0.120994510822713, 0.017418243061058977),
        (3, 26681, 0.11363891908099401, 0.109886239767609, 0.117502836842961, 0.019288400690570365),
        (4, 24184, 0.105896460469732, 0.102080757108839, 0.10983734511402099, 0.020895990883188453),
        (5, 23023, 0.10007383920427401, 0.09626388594689321, 0.104017228033421, 0.02195906395930766),
        (6, 21506, 0.09411327071514931, 0.0902830437346462, 0.09808847293030461, 0.023351345596214483),
        (7, 22197, 0.08730909582376001, 0.0836665612937408, 0.09109444792373561, 0.02377464167013697),
        (8, 23679, 0.0836606275602855, 0.08020120762600881, 0.0872551115710111, 0.02346839135649071),
        (9, 23271, 0.0797559193846418, 0.0763441201710209, 0.0833064392278473, 0.024194175488285865),
        (10, 23464, 0.0696812137742925, 0.0664933849950753, 0.0730099206057122, 0.02563725693767251),
    ],
}


def _cols(rows):
    arr = np.array(rows, dtype=float)
    return {"pop": arr[:, 1], "value": arr[:, 2], "lcl": arr[:, 3], "ucl": arr[:, 4], "se": arr[:, 5]}


# [PHE-SII] expected outputs, keyed by the test description's first record.
# (sii, rii, sii_lower, sii_upper, rii_lower, rii_upper[, intercept])
EXPECTED = {
    # records 1 and 11: default parameters (95%, 100,000 reps); intercepts from records 246/256
    ("LE", "area1"): (6.934616473668819, 1.0888180804446217, 3.127594617650817, 10.7586873680794,
                      1.0383690591642838, 1.1412993360251238, 78.07663078231671),
    ("LE", "area2"): (12.547846636351798, 1.180885620848795, 11.936156426792138, 13.163020132396579,
                      1.1713706914325628, 1.1904396357244886, 69.36895579356593),
    # records 71/81 (rate, untransformed), intercepts from records 266/276
    ("RATE", "area1"): (-3.2752012326471758, 0.40600068953980034, -3.5868233016744155, -2.9653170017272723,
                        0.36888170199068804, 0.44624776652446996, 5.513813189631011),
    ("RATE", "area2"): (-2.287678902778742, 0.5352517697987614, -2.3985255584029543, -2.1761883614121236,
                        0.5173431258491631, 0.5537394889497282, 4.922404764808173),
    # records 91/101 (proportion, untransformed), intercepts from records 286/296
    ("PROP", "area1"): (-0.10720032333730493, 0.5334015306465507, -0.11220857220984691, -0.1021798062145461,
                        0.5171273196358018, 0.5501538412913004, 0.22974855336720032),
    ("PROP", "area2"): (-0.0581854710713103, 0.5470128461555435, -0.06216629570885849, -0.05417454773129435,
                        0.5237145074007454, 0.5714617043537692, 0.12844839103602843),
}
TABLES = {"LE": (LE, "normal"), "RATE": (RATE, "rate"), "PROP": (PROP, "proportion")}


def _check_ci(got, lab, expected_lo_hi, frac=0.02):
    """Simulated limits agree with the published ones to Monte Carlo error.

    Both are the 2.5th/97.5th (etc.) percentiles of 100,000 simulated values;
    the standard error of such a percentile is about 0.5% of the interval's
    width, so two independent runs differ by well under 2% of the width.
    """
    for name, (lo, hi) in expected_lo_hi.items():
        tol = frac * abs(hi - lo)
        assert got[f"{name}_lower{lab}"] == pytest.approx(lo, abs=tol)
        assert got[f"{name}_upper{lab}"] == pytest.approx(hi, abs=tol)


@pytest.mark.parametrize("key", sorted(EXPECTED))
@pytest.mark.parametrize("use_se", [True, False])
def test_phe_untransformed_point_estimates_and_limits(key, use_se):
    table, vtype = TABLES[key[0]]
    c = _cols(table[key[1]])
    kwargs = {"se": c["se"]} if use_se else {"lower_cl": c["lcl"], "upper_cl": c["ucl"]}
    got = slope_index_of_inequality(c["value"], c["pop"], value_type=vtype, rng=20240501, **kwargs)
    sii, rii, slo, shi, rlo, rhi, intercept = EXPECTED[key]
    # Deterministic parts: exact (the published values are R doubles).
    assert got["sii"] == pytest.approx(sii, rel=1e-10)
    assert got["rii"] == pytest.approx(rii, rel=1e-10)
    assert got["intercept"] == pytest.approx(intercept, rel=1e-10)
    # Simulated limits: within Monte Carlo error (see _check_ci).
    _check_ci(got, "95_0cl", {"sii": (slo, shi), "rii": (rlo, rhi)})


# [PHE-SII] records 111/121 (multiplier 100) and 131/141 (multiplier -100).
PROPORTION_MULTIPLIERS = {
    (100, "area1"): (-10.720032333730494, 0.5334015306465507, -11.22085722098469, -10.21798062145461,
                     0.5171273196358018, 0.5501538412913004),
    (100, "area2"): (-5.81854710713103, 0.5470128461555435, -6.216629570885849, -5.4174547731294345,
                     0.5237145074007454, 0.5714617043537692),
    (-100, "area1"): (10.720032333730494, 1.874760274474414, 10.21798062145461, 11.22085722098469,
                      1.8176733941416052, 1.933759757083172),
    (-100, "area2"): (5.81854710713103, 1.8281106321873277, 5.4174547731294345, 6.216629570885849,
                      1.7498985362997128, 1.909437271392602),
}


@pytest.mark.parametrize("mult, area", sorted(PROPORTION_MULTIPLIERS))
def test_phe_proportion_multipliers(mult, area):
    sii, rii, slo, shi, rlo, rhi = PROPORTION_MULTIPLIERS[(mult, area)]
    c = _cols(PROP[area])
    got = slope_index_of_inequality(
        c["value"], c["pop"], lower_cl=c["lcl"], upper_cl=c["ucl"], value_type=2, multiplier=mult, rng=11
    )
    assert got["sii"] == pytest.approx(sii, rel=1e-10)
    assert got["rii"] == pytest.approx(rii, rel=1e-10)
    _check_ci(got, "95_0cl", {"sii": (slo, shi), "rii": (rlo, rhi)})


# [PHE-SII] records 21/31 (99%) and 226/236 (95% and 99% together).
CONFIDENCE_99 = {
    "area1": (1.9243274437391116, 11.99208403800279, 1.0234148326541768, 1.1587677685047233),
    "area2": (11.743647833205888, 13.34720365245395, 1.168320603472105, 1.1934312559878586),
}
# [PHE-SII] records 61/66: quintiles (the first five deciles' rows), only the SII and
# RII are published ("only have SII available from Excel tool").
QUINTILES = {"area1": (7.919334147100874, 1.1037116952527257),
             "area2": (3.6215563376545648, 1.0513892712719326)}


@pytest.mark.parametrize("area", sorted(CONFIDENCE_99))
def test_phe_confidence_levels_95_and_99_together(area):
    slo, shi, rlo, rhi = CONFIDENCE_99[area]
    c = _cols(LE[area])
    got = slope_index_of_inequality(c["value"], c["pop"], se=c["se"], confidence=[95, 99], rng=3)
    _check_ci(got, "99_0cl", {"sii": (slo, shi), "rii": (rlo, rhi)})
    e = EXPECTED[("LE", area)]
    _check_ci(got, "95_0cl", {"sii": (e[2], e[3]), "rii": (e[4], e[5])})


@pytest.mark.parametrize("area", sorted(QUINTILES))
def test_phe_quintiles(area):
    sii, rii = QUINTILES[area]
    c = _cols(LE[area][:5])
    got = slope_index_of_inequality(c["value"], c["pop"], se=c["se"], reps=1000, rng=1)
    assert got["sii"] == pytest.approx(sii, rel=1e-10)
    assert got["rii"] == pytest.approx(rii, rel=1e-10)


# [PHE-SII] transformed fits: records 306/316 (rate, log), 386/396 (rate, log,
# multiplier -1), 366/376 and 406/416 (rate, log, 98%), 326/336 (proportion,
# logit), 346/356 (proportion, logit, multiplier -1), 466/476 (proportion, 98%).
# (sii, rii, intercept, 95%: sii_lo, sii_hi, rii_lo, rii_hi, 98%: sii_lo, sii_hi, rii_lo, rii_hi)
TRANSFORMED = {
    ("rate", 1, "area1"): (-3.15590713895456, 0.4418848436076823, 5.65458060546947,
                           (-3.4809615490242884, -2.833237344763632, 0.4082744080360723, 0.4785663265006931),
                           (-3.544280996599922, -2.7745074687289164, 0.4020907792516821, 0.48562375212051656)),
    ("rate", 1, "area2"): (-2.2954691808474057, 0.5446144759737053, 5.040716183843519,
                           (-2.423223688852598, -2.168075785150564, 0.527074544156842, 0.5627749745405388),
                           (-2.4467391886512893, -2.144561280153136, 0.523917441953303, 0.5662021595789917)),
    ("rate", -1, "area1"): (3.15590713895456, 2.2630330378288055, 5.65458060546947,
                            (2.833237344763632, 3.4809615490242884, 2.0895745158504204, 2.449333047374468), None),
    ("rate", -1, "area2"): (2.2954691808474057, 1.8361612555599447, 5.040716183843519,
                            (2.168075785150564, 2.423223688852598, 1.7769091470643676, 1.8972648386950541), None),
    ("proportion", 1, "area1"): (-0.1096462611125906, 0.5341775743253946, 0.2353821007088711,
                                 (-0.11490838449464633, -0.10443087776045443, 0.5185333850074628, 0.5501741213468927),
                                 (-0.11586812967869121, -0.10343726013070212, 0.5157325783693022, 0.5532784562248066)),
    ("proportion", 1, "area2"): (-0.05970061643992898, 0.5472074426131981, 0.1318498183461289,
                                 (-0.06392425493727208, -0.05546135190988595, 0.524843254382713, 0.5707105710428643),
                                 (-0.06474712877274659, -0.054665927621409635, 0.5206044577698082, 0.5752422770627751)),
    ("proportion", -1, "area1"): (0.1096462611125906, 1.8720366560930344, 0.2353821007088711,
                                  (0.10443087776045443, 0.11490838449464633, 1.8176063925941832, 1.9285161359197882), None),
    ("proportion", -1, "area2"): (0.05970061643992898, 1.827460524338784, 0.1318498183461289,
                                  (0.05546135190988595, 0.06392425493727208, 1.752201642546574, 1.9053307661849175), None),
}


@pytest.mark.parametrize("key", sorted(TRANSFORMED, key=str))
def test_phe_transformed(key):
    vtype, mult, area = key
    sii, rii, intercept, ci95, ci98 = TRANSFORMED[key]
    c = _cols((RATE if vtype == "rate" else PROP)[area])
    got = slope_index_of_inequality(
        c["value"], c["pop"], lower_cl=c["lcl"], upper_cl=c["ucl"], value_type=vtype, transform=True,
        multiplier=mult, confidence=(0.95, 0.98), rng=99,
    )
    assert got["sii"] == pytest.approx(sii, rel=1e-10)
    assert got["rii"] == pytest.approx(rii, rel=1e-10)
    assert got["intercept"] == pytest.approx(intercept, rel=1e-10)
    _check_ci(got, "95_0cl", {"sii": ci95[:2], "rii": ci95[2:]})
    if ci98 is not None:
        _check_ci(got, "98_0cl", {"sii": ci98[:2], "rii": ci98[2:]})


def test_simulation_converges_to_normal_theory_limits():
    # A second, independent route for value_type 0: the SII is linear in the
    # values, so its simulated limits converge to b1 -/+ z * sd(b1) with
    # var(b1) = [(X'X)^-1 X' diag(a_i se_i^2) X (X'X)^-1]_{22} (design X with
    # columns sqrt(a), b*sqrt(a)).  Written out here with plain numpy.
    c = _cols(LE["area1"])
    a = c["pop"] / c["pop"].sum()
    b = np.cumsum(a) - a / 2
    X = np.column_stack([np.sqrt(a), b * np.sqrt(a)])
    P = np.linalg.inv(X.T @ X) @ X.T
    cov = P @ np.diag(a * c["se"] ** 2) @ P.T
    b1 = (P @ (c["value"] * np.sqrt(a)))[1]
    z = norm.ppf(0.975)
    lo, hi = b1 - z * np.sqrt(cov[1, 1]), b1 + z * np.sqrt(cov[1, 1])
    got = slope_index_of_inequality(c["value"], c["pop"], se=c["se"], rng=2024)
    assert got["sii"] == pytest.approx(b1, rel=1e-12)
    _check_ci(got, "95_0cl", {"sii": (lo, hi)}, frac=0.01)
    # ...and the published limits (3.1276, 10.7587) are the same interval.
    assert lo == pytest.approx(3.127594617650817, abs=0.02 * (hi - lo))
    assert hi == pytest.approx(10.7586873680794, abs=0.02 * (hi - lo))


def test_seeded_simulation_is_reproducible():
    c = _cols(LE["area2"])
    one = slope_index_of_inequality(c["value"], c["pop"], se=c["se"], reps=5000, rng=42)
    two = slope_index_of_inequality(c["value"], c["pop"], se=c["se"], reps=5000, rng=np.random.default_rng(42))
    other = slope_index_of_inequality(c["value"], c["pop"], se=c["se"], reps=5000, rng=43)
    assert one == two
    assert one["sii"] == other["sii"] and one["sii_lower95_0cl"] != other["sii_lower95_0cl"]
    assert DEFAULT_REPS == 100_000  # phe_sii's default


def test_relative_rank_published_example():
    # [PHE-DOC]: shares 12% and 10% -> relative ranks 0.06 and 0.17.
    ranks = relative_rank([12, 10, 78])
    assert ranks[0] == pytest.approx(0.06)
    assert ranks[1] == pytest.approx(0.17)
    assert ranks[2] == pytest.approx(0.61)


# ---------------------------------------------------------------------------
# ScotPHO conventions: regression CI, RII = SII / mean, PAR

SCOTPHO_VALUE = [100, 70, 45, 20, 5]  # [SCOTPHO] most deprived (SIMD 1) first
SCOTPHO_POP = [1000] * 5
SCOTPHO_OVERALL = 48  # [SCOTPHO] overall_value


def test_scotpho_example_by_hand():
    # Own arithmetic on the [SCOTPHO] inputs.  Equal populations give ranks
    # 0.1, 0.3, 0.5, 0.7, 0.9 and weights 0.2, so the weighted fit is ordinary
    # least squares: Sxy = -0.4*52 - 0.2*22 + 0 + 0.2*(-28) + 0.4*(-43) = -48,
    # Sxx = 0.4, slope = -120, intercept 48 + 120*0.5 = 108.  ScotPHO SII = 120.
    # Residuals 4, -2, -3, -4, 5 (fitted 96, 72, 48, 24, 0); weighted RSS =
    # 0.2*70 = 14 on 3 df, var(slope) = (14/3)/(0.2*0.4) = 58.333, se = 7.6376;
    # t(3, 0.975) = 3.182446 (tables), half-width 24.3063.
    # RII = 120/48 = 2.5;  PAR = (48 - 5)/48 = 89.5833%.
    got = scotpho_inequality_measures(SCOTPHO_VALUE, SCOTPHO_POP, overall_rate=SCOTPHO_OVERALL)
    assert got["sii"] == pytest.approx(120, rel=1e-12)
    half = 3.182446305284263 * np.sqrt((14 / 3) / 0.08)
    assert got["lowci_sii"] == pytest.approx(120 - half, rel=1e-9)
    assert got["upci_sii"] == pytest.approx(120 + half, rel=1e-9)
    assert got["rii"] == pytest.approx(2.5, rel=1e-12)
    assert got["lowci_rii"] == pytest.approx((120 - half) / 48, rel=1e-9)
    assert got["rii_int"] == pytest.approx(125, rel=1e-12)
    assert got["par"] == pytest.approx(43 / 48 * 100, rel=1e-12)
    assert got["abs_range"] == 95 and got["rel_range"] == 20
    # The overall value 48 published with the example is the population-weighted
    # mean of the quintile rates, so the default gives the same answer.
    assert scotpho_inequality_measures(SCOTPHO_VALUE, SCOTPHO_POP) == got


def test_par_equals_scotpho_par_rr_form():
    # [SCOTPHO] computes PAR as sum(par_rr)/(sum(par_rr)+1)*100 with
    # par_rr = (rate/least_rate - 1) * proportion_pop; check the identity with
    # (overall - least)/overall on unequal populations (PHE rate records 71-80).
    c = _cols(RATE["area1"])
    share = c["pop"] / c["pop"].sum()
    par_rr = (c["value"] / c["value"][-1] - 1) * share
    scotpho_form = par_rr.sum() / (par_rr.sum() + 1) * 100
    assert population_attributable_risk(c["value"], c["pop"]) == pytest.approx(scotpho_form, rel=1e-12)
    # [SCOTPHO] example: 89.5833...% both ways.
    pr = (np.array(SCOTPHO_VALUE) / 5 - 1) * 0.2
    assert population_attributable_risk(SCOTPHO_VALUE, SCOTPHO_POP) == pytest.approx(pr.sum() / (pr.sum() + 1) * 100)


def test_par_edge_cases():
    assert population_attributable_risk([10, 5, 0], [1, 1, 1]) == pytest.approx(100.0)  # least deprived rate 0
    assert population_attributable_risk([10, 5, 2], overall_rate=4) == pytest.approx(50.0)
    # Least deprived first: overall 17/3, least 2 -> (17/3 - 2)/(17/3) = 11/17.
    assert population_attributable_risk([2, 5, 10], [1, 1, 1], least_deprived=0) == pytest.approx(1100 / 17)
    assert np.isnan(population_attributable_risk([10, np.nan, 2], [1, 1, 1]))
    assert np.isnan(population_attributable_risk([10, 5, 2], [1, 0, 1]))
    assert np.isnan(population_attributable_risk([0, 0, 0], [1, 1, 1]))
    with pytest.raises(ValueError):
        population_attributable_risk([1, 2, 3])
    with pytest.raises(ValueError, match="empty"):
        population_attributable_risk([], [])
    with pytest.raises(ValueError, match="same length"):
        population_attributable_risk([1, 2, 3], [1, 1])


def test_regression_ci_is_scotpho_with_reversed_sign():
    c = _cols(RATE["area1"])
    phe = slope_index_of_inequality(c["value"], c["pop"], se=c["se"], ci_method="regression", multiplier=-1)
    scot = scotpho_inequality_measures(c["value"], c["pop"])
    assert scot["sii"] == pytest.approx(-EXPECTED[("RATE", "area1")][0], rel=1e-10)  # = -PHE SII
    assert phe["sii"] == pytest.approx(scot["sii"], rel=1e-12)
    assert phe["sii_lower95_0cl"] == pytest.approx(scot["lowci_sii"], rel=1e-12)
    assert phe["sii_upper95_0cl"] == pytest.approx(scot["upci_sii"], rel=1e-12)
    assert np.isnan(phe["rii_lower95_0cl"])  # no analytic RII limits untransformed
    # sii_se is the regression SE of the slope, the same with either CI method.
    sim = slope_index_of_inequality(c["value"], c["pop"], se=c["se"], reps=1000, rng=0)
    assert sim["sii_se"] == pytest.approx(phe["sii_se"], rel=1e-12)


# ---------------------------------------------------------------------------
# Edge cases


def test_zero_or_missing_population_is_an_error():
    # testSII.R "negative populations": "some groups have a zero, negative or
    # missing population".
    for bad in (0, -200, np.nan):
        c = _cols(LE["area1"])
        c["pop"][1] = bad
        with pytest.raises(ValueError, match="zero, negative or missing population"):
            slope_index_of_inequality(c["value"], c["pop"], se=c["se"], reps=1000)


def test_input_validation():
    c = _cols(LE["area1"])
    v, p, se = c["value"], c["pop"], c["se"]
    with pytest.raises(ValueError, match="between 5 and 100"):
        slope_index_of_inequality(v[:3], p[:3], se=se[:3])
    with pytest.raises(ValueError, match="1000 or greater"):
        slope_index_of_inequality(v, p, se=se, reps=10)
    with pytest.raises(ValueError, match="confidence"):
        slope_index_of_inequality(v, p, se=se, confidence=0.35)
    with pytest.raises(ValueError, match="transform"):
        slope_index_of_inequality(v, p, lower_cl=c["lcl"], upper_cl=c["ucl"], transform=True)
    with pytest.raises(ValueError, match="se must be missing"):
        slope_index_of_inequality(v, p, se=se, value_type="rate", transform=True)
    with pytest.raises(ValueError, match="value proportions"):
        slope_index_of_inequality(v, p, se=se, value_type="proportion")
    with pytest.raises(ValueError, match="negative or missing standard errors"):
        slope_index_of_inequality(v, p, se=np.where(np.arange(10) == 2, np.nan, se))
    with pytest.raises(ValueError, match="either se"):
        slope_index_of_inequality(v, p)
    with pytest.raises(ValueError, match="one value per group"):
        slope_index_of_inequality(v, p, se=se[:9])
    with pytest.raises(ValueError, match="value_type"):
        slope_index_of_inequality(v, p, se=se, value_type=3)
    # A missing value: all results NaN (no exception) for a single area.
    got = slope_index_of_inequality(np.where(np.arange(10) == 4, np.nan, v), p, se=se, reps=1000)
    assert all(np.isnan(x) for x in got.values())
    # More than 10 groups: allowed with a warning, as in phe_sii.
    with pytest.warns(UserWarning, match="unstable"):
        slope_index_of_inequality(np.tile(v, 2)[:15], np.tile(p, 2)[:15], se=np.tile(se, 2)[:15], reps=1000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        slope_index_of_inequality(v, p, se=se, reps=1000)
