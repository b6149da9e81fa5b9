"""Published GLM fits: the reference of the fitter in transforms.stats.trends.

Each block gives the data, the model, and the published values, with where
they were read.  tests/unit/stats/test_trends.py fits the same models with
``transforms.stats.trends.glm_fit``; tests/unit/udfs/test_udfs_trends.py
reuses the Bernoulli series through SQL.

[DOBSON]   Dobson AJ (1990) *An Introduction to Generalized Linear Models*,
           p. 93, "Randomized Controlled Trial", as R's ``?glm`` example:
           ``counts <- c(18,17,15,20,10,20,25,13,12); outcome <- gl(3,1,9);
           treatment <- gl(3,3); glm(counts ~ outcome + treatment,
           family = poisson())``.
           * R's printed ``summary(glm.D93)`` (4 significant digits):
             (Intercept) 3.045e+00 (SE 1.709e-01), outcome2 -4.543e-01
             (2.022e-01), outcome3 -2.930e-01 (1.927e-01), treatment2 and
             treatment3 ~0 (2.000e-01 each), z of outcome2 -2.247,
             Pr(>|z|) 0.0246, null deviance 10.5814 on 8 df, residual
             deviance 5.1291 on 4 df, 4 Fisher scoring iterations; quoted in
             JuliaStats/GLM.jl docs/src/index.md, read at commit
             e6b77568f5a6a850f31f091d380e2a5f79b0f0c6 (the parent of
             b2477ef, 2019-01-18, which moved the example to
             docs/src/examples.md; the data there were later changed).  The analysis
             of deviance table (NULL 10.5814, outcome 5.4523, residual 5.1291)
             is also in R's own example output, wch/r-source
             tests/Examples/stats-Ex.Rout.save (commit
             0044f6e9d583aec2a826aa51f3354f64a3e63a82), section ``glm``.
           * Full precision: JuliaStats/GLM.jl test/runtests.jl, testset
             "Poisson GLM" (commit e1438c5a76d4d8d0774c508dd37953195348b159,
             2026-04-21): deviance 5.12914107700115, null deviance
             10.581445863750867, coefficients (Intercept, outcome 2, outcome 3)
             3.044522437723423, -0.45425527227759555, -0.29298712468147375.
[ANOREXIA] Poisson regression with an offset: the anorexia data of Venables
           WN, Ripley BD (2002) *Modern Applied Statistics with S*, 4th ed.,
           p. 189 (R package MASS), as JuliaStats/GLM.jl data/anorexia.csv
           (last changed in commit 35777535f51b8844ba8a611bc92a5f446418a7f0),
           72 rows (Treat, Prewt, Postwt) reproduced below.  Model: counts
           ``round(Postwt)`` on ``1 + Prewt + Treat`` (Treat coded against CBT,
           the first level) with offset ``log(Prewt)``.  test/runtests.jl,
           testset "Poisson LogLink offset" (commit e1438c5..., values first
           added in ebc82ccf7263bdf5898682748f3274002079d6fe, 2022-07-01):
           deviance 39.686114742427705, null deviance 54.749010639715294,
           coefficients 0.61587278, -0.00700535, -0.048518903, 0.05331228,
           standard errors 0.2091138392, 0.0025136984, 0.0297381842,
           0.0324618795.  Julia's ``round`` rounds halves to even, as numpy's
           does (one Postwt, 72.5, is a half).
[ADMIT]    Binomial (logit) regression on grouped data: the UCLA graduate
           admissions data aggregated by rank, 33, 54, 28 and 12 admitted out
           of 61, 151, 121 and 67 (ranks 1-4, rank a factor coded against
           rank 1).  JuliaStats/GLM.jl test/runtests.jl, testset "Binomial
           LogitLink aggregated" (commit e1438c5...; coefficients since
           d198fd5b62c5ec70c490410af7662315bc9bb883, 2015-11-11): coefficients
           0.1643030512912767, -0.7500299832303851, -1.3646980342693287,
           -1.6867295867357475; null deviance 25.009799126861324; the model
           is saturated (deviance 0 to rounding).
[BERNOULLI] A logistic regression on time: 50 binary outcomes at x = 0, 1/49,
           ..., 1.  JuliaStats/GLM.jl test/runtests.jl, testset "GLM confidence
           intervals" (commit e1438c5...; added in
           68fc1fa37c0625bb51c959e0fcce1d8a746ee825, 2021-02-21): the fitted
           probabilities at x = 0, 0.2405063, 0.4936709, 0.7468354, 1
           ("ggplot_prediction", 0.1804678 ... 0.9306787) and their standard
           errors on the probability scale from R's ``glm`` ("R_glm_se",
           0.09748766 ... 0.05177654).  The test there compares its own values
           with these to 1e-3; they are R's, to 7 significant digits.
"""

from __future__ import annotations

# ---------------------------------------------------------------------------
# [DOBSON]

DOBSON_COUNTS = [18, 17, 15, 20, 10, 20, 25, 13, 12]
DOBSON_OUTCOME = [1, 2, 3, 1, 2, 3, 1, 2, 3]  # gl(3, 1, 9)
DOBSON_TREATMENT = [1, 1, 1, 2, 2, 2, 3, 3, 3]  # gl(3, 3)
#: R summary(glm.D93), 4 significant digits: (Intercept), outcome2, outcome3, treatment2, treatment3.
DOBSON_R_COEF = [3.045, -0.4543, -0.2930, 0.0, 0.0]
DOBSON_R_SE = [0.1709, 0.2022, 0.1927, 0.2000, 0.2000]
DOBSON_R_Z_OUTCOME2 = -2.247
DOBSON_R_P_OUTCOME2 = 0.0246
DOBSON_R_ITERATIONS = 4
#: GLM.jl test/runtests.jl, full precision: (Intercept), outcome 2, outcome 3.
DOBSON_COEF_3 = [3.044522437723423, -0.45425527227759555, -0.29298712468147375]
DOBSON_DEVIANCE = 5.12914107700115
DOBSON_NULL_DEVIANCE = 10.581445863750867
#: R anova(glm.D93): deviance explained by outcome (stats-Ex.Rout.save).
DOBSON_R_OUTCOME_DEVIANCE = 5.4523

# ---------------------------------------------------------------------------
# [ANOREXIA]: (Treat, Prewt, Postwt)

ANOREXIA = [
    ("Cont", 80.7, 80.2), ("Cont", 89.4, 80.1), ("Cont", 91.8, 86.4), ("Cont", 74, 86.3),
    ("Cont", 78.1, 76.1), ("Cont", 88.3, 78.1), ("Cont", 87.3, 75.1), ("Cont", 75.1, 86.7),
    ("Cont", 80.6, 73.5), ("Cont", 78.4, 84.6), ("Cont", 77.6, 77.4), ("Cont", 88.7, 79.5),
    ("Cont", 81.3, 89.6), ("Cont", 78.1, 81.4), ("Cont", 70.5, 81.8), ("Cont", 77.3, 77.3),
    ("Cont", 85.2, 84.2), ("Cont", 86, 75.4), ("Cont", 84.1, 79.5), ("Cont", 79.7, 73),
    ("Cont", 85.5, 88.3), ("Cont", 84.4, 84.7), ("Cont", 79.6, 81.4), ("Cont", 77.5, 81.2),
    ("Cont", 72.3, 88.2), ("Cont", 89, 78.8), ("CBT", 80.5, 82.2), ("CBT", 84.9, 85.6),
    ("CBT", 81.5, 81.4), ("CBT", 82.6, 81.9), ("CBT", 79.9, 76.4), ("CBT", 88.7, 103.6),
    ("CBT", 94.9, 98.4), ("CBT", 76.3, 93.4), ("CBT", 81, 73.4), ("CBT", 80.5, 82.1),
    ("CBT", 85, 96.7), ("CBT", 89.2, 95.3), ("CBT", 81.3, 82.4), ("CBT", 76.5, 72.5),
    ("CBT", 70, 90.9), ("CBT", 80.4, 71.3), ("CBT", 83.3, 85.4), ("CBT", 83, 81.6),
    ("CBT", 87.7, 89.1), ("CBT", 84.2, 83.9), ("CBT", 86.4, 82.7), ("CBT", 76.5, 75.7),
    ("CBT", 80.2, 82.6), ("CBT", 87.8, 100.4), ("CBT", 83.3, 85.2), ("CBT", 79.7, 83.6),
    ("CBT", 84.5, 84.6), ("CBT", 80.8, 96.2), ("CBT", 87.4, 86.7), ("FT", 83.8, 95.2),
    ("FT", 83.3, 94.3), ("FT", 86, 91.5), ("FT", 82.5, 91.9), ("FT", 86.7, 100.3),
    ("FT", 79.6, 76.7), ("FT", 76.9, 76.8), ("FT", 94.2, 101.6), ("FT", 73.4, 94.9),
    ("FT", 80.5, 75.2), ("FT", 81.6, 77.8), ("FT", 82.1, 95.5), ("FT", 77.6, 90.7),
    ("FT", 83.5, 92.5), ("FT", 89.9, 93.8), ("FT", 86, 91.7), ("FT", 87.3, 98),
]  # fmt: skip
#: (Intercept), Prewt, Treat Cont, Treat FT.
ANOREXIA_COEF = [0.61587278, -0.00700535, -0.048518903, 0.05331228]
ANOREXIA_SE = [0.2091138392, 0.0025136984, 0.0297381842, 0.0324618795]
ANOREXIA_DEVIANCE = 39.686114742427705
ANOREXIA_NULL_DEVIANCE = 54.749010639715294

# ---------------------------------------------------------------------------
# [ADMIT]

ADMIT_ADMITTED = [33, 54, 28, 12]
ADMIT_APPLICANTS = [61, 151, 121, 67]
ADMIT_COEF = [0.1643030512912767, -0.7500299832303851, -1.3646980342693287, -1.6867295867357475]
ADMIT_NULL_DEVIANCE = 25.009799126861324

# ---------------------------------------------------------------------------
# [BERNOULLI]

BERNOULLI_Y = [
    0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 0,
    1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1,
]  # fmt: skip
BERNOULLI_NEW_X = [0.0, 0.2405063, 0.4936709, 0.7468354, 1.0]
BERNOULLI_R_PREDICTION = [0.1804678, 0.3717731, 0.6262062, 0.8258605, 0.9306787]
BERNOULLI_R_SE = [0.09748766, 0.09808412, 0.07963897, 0.07495792, 0.05177654]
