"""Trend over time: a Poisson or binomial regression on the period, and its direction.

The test of trend asked for by issue 10 ("direction over the last 5 periods
and a test of trend") is the regression on time of a generalised linear
model, fitted by maximum likelihood:

Counts with a denominator (rates): Poisson regression, log link
    ``log E[count_t] = log(denominator_t) + b0 + b1 * t``, the denominator
    entering as an offset, so ``exp(b1)`` is the rate ratio per period (the
    rate is multiplied by ``exp(b1)`` each period).  McCullagh P, Nelder JA.
    *Generalized Linear Models*, 2nd ed. (1989), ch. 6 (log-linear models,
    offsets); Dobson AJ. *An Introduction to Generalized Linear Models*
    (1990), ch. 9.  This is the "Poisson regression on counts with the
    denominator as offset" of the issue.

Numerators out of denominators (percentages): binomial regression, logit link
    ``logit P(event)_t = b0 + b1 * t`` with ``numerator_t`` events out of
    ``denominator_t`` trials, so ``exp(b1)`` is the odds ratio per period.
    McCullagh and Nelder (1989), ch. 4; Collett D. *Modelling Binary Data*,
    2nd ed. (2003).

Fitting (:func:`glm_fit`)
    Iteratively reweighted least squares (Fisher scoring; for these canonical
    links it is Newton-Raphson), as R's ``glm.fit`` does: start from
    ``mu = y + 0.1`` (Poisson) or ``p = (y + 0.5) / (n + 1)`` (binomial), then
    repeat the weighted least-squares fit of the working response
    ``z = eta - offset + (y - mu) / (d mu / d eta)`` with weights
    ``w = (d mu / d eta)^2 / var(mu)`` (``mu`` and ``n p (1 - p)``) until the
    deviance changes by less than ``tol * (|deviance| + 0.1)`` (R's
    criterion, R's ``epsilon = 1e-8``; here 1e-10 by default, so coefficients
    agree with published full-precision values) or, as happens first for a
    near-perfect fit to large counts whose deviance is below its own rounding,
    no coefficient moves by more than ``tol * (1 + max |coefficient|)``.
    The trend functions centre the times before fitting (the slope is the
    same; the intercept and the slope are then nearly uncorrelated), so
    calendar years are as good as 0, 1, 2, ....  Standard errors are the
    square roots of the diagonal of ``(X' W X)^-1`` at the estimate (dispersion
    1, as in R's ``summary.glm`` for these families).  A fit whose fitted
    values reach 0 (Poisson) or 0 or 1 (binomial), or that does not converge,
    gets a ``reason``, as R warns "fitted rates numerically 0" / "fitted
    probabilities numerically 0 or 1".

Tests
    Wald: ``z = b1 / se(b1)``, two-sided p-value ``2 * (1 - Phi(|z|))``, the
    ``Pr(>|z|)`` of R's ``summary.glm``; ratio limits ``exp(b1 -/+ z_(a/2)
    se(b1))``.  Likelihood ratio: the drop in deviance from the model without
    the period (``mu = denominator * sum(count) / sum(denominator)``, or
    ``p = sum(numerator) / sum(denominator)``) to the model with it, referred
    to chi-square on 1 degree of freedom (R's ``anova(fit, test = "Chisq")``).
    Both assume Poisson or binomial variation; extra variation between periods
    (over-dispersion, usual for large counts) makes them too ready to find a
    trend.  ``dispersion`` (Pearson chi-square / (periods - 2)) shows it: well
    above 1 means the p-values are too small.  ``p_value_quasi`` allows for it,
    as R's ``quasipoisson`` / ``quasibinomial`` families do in ``summary.glm``:
    the standard error is multiplied by ``sqrt(dispersion)`` and ``t = b1 / se``
    is referred to Student's t on ``periods - 2`` degrees of freedom; here the
    dispersion is taken as at least 1 (a series less variable than Poisson
    keeps the Poisson standard error), so it is never less cautious than the
    Wald test.  The direction of a trend (``trend_direction``) is read from it.

When no trend is estimated (``reason``)
    The slope and p-values are NaN, with the reason, when
    fewer than :data:`MIN_PERIODS` periods are usable (a period with a missing
    numerator, or a missing, zero or negative denominator, is left out);
    the periods all have the same time; there are no events in any period;
    for Poisson, every event falls in the first or in the last period (the
    slope's estimate is infinite); for binomial, every trial is an event in
    every period, or the periods are separated (no events before some time
    and only events after it: complete or quasi-complete separation, Albert A,
    Anderson JA. *On the existence of maximum likelihood estimates in logistic
    regression models.* Biometrika 1984; 71: 1-10); or the fit fails as above.
    Negative counts, or numerators above their denominators (binomial), are
    errors (``ValueError``).

Direction (:func:`trend_direction`)
    One label per series, polarity-aware where the catalogue polarity allows,
    like the comparisons with Scotland (better/worse, or higher/lower when an
    indicator has no polarity): with ``p < alpha`` (default 0.05) the series
    is ``'improving'`` or ``'getting worse'`` for polarity ``'high is good'``
    / ``'high is bad'``, and ``'increasing'`` or ``'decreasing'`` for
    ``'no judgement'``; otherwise ``'no significant change'``; and
    ``'not assessed'`` when there is no p-value (a ``reason`` above).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.special import expit, xlogy
from scipy.stats import chi2, norm
from scipy.stats import t as student_t

from transforms.stats.arguments import alpha_from_conf, as_float, check_observed
from transforms.stats.compare import POLARITIES

__all__ = [
    "DIRECTIONS",
    "MIN_PERIODS",
    "GlmFit",
    "TrendResult",
    "binomial_trend",
    "glm_fit",
    "poisson_trend",
    "trend_direction",
]

#: Fewest usable periods for a test of trend: two parameters leave one degree of freedom.
MIN_PERIODS = 3

#: Every label trend_direction returns.
DIRECTIONS = ("improving", "getting worse", "increasing", "decreasing", "no significant change", "not assessed")

_FAMILIES = ("poisson", "binomial")
_TINY = 10 * np.finfo(float).eps  # R's glm.fit threshold for fitted values "numerically 0 or 1"

# Reasons for a NaN trend.
TOO_FEW = f"fewer than {MIN_PERIODS} periods"
SAME_TIME = "all periods at the same time"
NO_EVENTS = "no events in any period"
END_PERIOD_ONLY = "every event in the first or the last period"
ALL_EVENTS = "every trial an event in every period"
SEPARATED = "separation: no events before, only events after, some time"


class GlmFit(NamedTuple):
    """A fitted GLM: coefficients, their standard errors and covariance, the deviance and convergence.

    ``reason`` is None for a usable fit, else why not (non-convergence,
    fitted values numerically on the boundary).
    """

    coef: np.ndarray
    se: np.ndarray
    cov: np.ndarray
    fitted: np.ndarray
    deviance: float
    iterations: int
    converged: bool
    reason: str | None


class TrendResult(NamedTuple):
    """The trend of one series; the estimates are NaN, with ``reason``, when none is estimated.

    ``slope`` is on the link scale (log rate or log odds per period) and
    ``ratio`` its exponential (rate or odds ratio per period), with limits at
    the requested confidence level; ``p_value`` is the Wald test of the slope
    and ``p_value_lr`` the likelihood-ratio test.
    """

    n_periods: int
    slope: float
    slope_se: float
    ratio: float
    ratio_lower: float
    ratio_upper: float
    p_value: float
    p_value_lr: float
    dispersion: float
    p_value_quasi: float
    reason: str | None


def _deviance(family: str, y: np.ndarray, mu: np.ndarray, trials: np.ndarray | None) -> float:
    """Poisson or binomial deviance; ``0 * log(0)`` is 0.

    Each term is formed from the ratio ``y / mu`` rather than from
    ``y log y - y log mu``, so that large counts keep the deviance accurate to
    rounding of its own size.
    """
    if family == "poisson":
        return float(2.0 * np.sum(xlogy(y, _ratio(y, mu)) - (y - mu)))
    failures = trials - y
    return float(2.0 * np.sum(xlogy(y, _ratio(y, mu)) + xlogy(failures, _ratio(failures, trials - mu))))


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a / b`` where ``a > 0``, else 1 (its term ``a log(a / b)`` is then 0 whatever ``b``)."""
    return np.divide(a, b, out=np.ones_like(a), where=a > 0)


def glm_fit(y, X, family: str, *, offset=None, trials=None, tol: float = 1e-10, max_iter: int = 50) -> GlmFit:
    """Fit a Poisson (log link) or binomial (logit link) GLM by iteratively reweighted least squares.

    ``y`` holds the counts (Poisson) or the numbers of events out of
    ``trials`` (binomial); ``X`` is the model matrix (include a column of ones
    for an intercept); ``offset`` is added to the linear predictor (for a rate,
    the log of the denominator).  Fitted values ``fitted`` are expected counts
    (binomial: ``trials * p``).  The method, starting values and convergence
    rule are those of R's ``glm.fit`` (module docstring).  ``X`` must have full
    column rank and ``trials`` be positive.
    """
    if family not in _FAMILIES:
        raise ValueError(f"family must be one of {_FAMILIES}, not {family!r}")
    y = as_float(y).ravel()
    X = np.asarray(X, dtype=float).reshape(y.size, -1)
    offset = np.zeros(y.size) if offset is None else as_float(offset).ravel()
    check_observed(y)
    if family == "binomial":
        trials = as_float(trials).ravel()
        if not np.all(trials > 0):
            raise ValueError("binomial denominators (trials) must be positive")
        if np.any(y > trials):
            raise ValueError("binomial numerators must not exceed their denominators")
        p = (y + 0.5) / (trials + 1.0)
        eta = np.log(p / (1.0 - p))
    else:
        eta = np.log(y + 0.1)
    deviance_old = np.inf
    beta_old = np.full(X.shape[1], np.inf)
    converged = False
    iterations = 0
    for _ in range(max_iter):
        iterations += 1
        if family == "poisson":
            mu = np.exp(eta)
            weight, fitted = mu, mu
        else:
            p = expit(eta)
            fitted = trials * p
            weight = fitted * (1.0 - p)
        if not np.all(weight > 0):  # a fitted value underflowed to the boundary
            break
        z = eta - offset + (y - fitted) / weight
        root_w = np.sqrt(weight)
        beta = np.linalg.lstsq(X * root_w[:, None], z * root_w, rcond=None)[0]
        eta = X @ beta + offset
        fitted = np.exp(eta) if family == "poisson" else trials * expit(eta)
        deviance = _deviance(family, y, fitted, trials)
        if abs(deviance - deviance_old) < tol * (abs(deviance) + 0.1) or np.max(np.abs(beta - beta_old)) <= tol * (
            1.0 + np.max(np.abs(beta))
        ):
            converged = True
            break
        deviance_old, beta_old = deviance, beta
    if family == "poisson":
        weight = fitted
        boundary = np.any(fitted < _TINY)
    else:
        p = expit(eta)
        weight = trials * p * (1.0 - p)
        boundary = np.any((p < _TINY) | (p > 1.0 - _TINY))
    cov = np.linalg.pinv(X.T @ (X * weight[:, None]))  # pinv: no error when a boundary fit leaves it singular
    reason = None
    if boundary:
        reason = "fitted rates numerically 0" if family == "poisson" else "fitted probabilities numerically 0 or 1"
    elif not converged:
        reason = f"did not converge in {max_iter} iterations"
    return GlmFit(beta, np.sqrt(np.diag(cov)), cov, fitted, deviance, iterations, converged, reason)


def _no_trend(n_periods: int, reason: str) -> TrendResult:
    nan = float("nan")
    return TrendResult(n_periods, nan, nan, nan, nan, nan, nan, nan, nan, nan, reason)


def _usable_periods(numerators, denominators, times):
    """The numerators, denominators and times of the periods that can enter the fit, as float arrays."""
    y, d = as_float(numerators).ravel(), as_float(denominators).ravel()
    if y.size != d.size:
        raise ValueError(f"numerators ({y.size}) and denominators ({d.size}) must have one value per period")
    t = np.arange(y.size, dtype=float) if times is None else as_float(times).ravel()
    if t.size != y.size:
        raise ValueError(f"times ({t.size}) must have one value per period ({y.size})")
    if not np.all(np.isfinite(t)):
        raise ValueError("times must be finite numbers")
    keep = ~np.isnan(y) & (d > 0)  # d > 0 is False for NaN
    y, d, t = y[keep], d[keep], t[keep]
    check_observed(y)
    return y, d, t


def _separated(y: np.ndarray, n: np.ndarray, t: np.ndarray) -> bool:
    """True when some time splits the periods into no events before it and only events after it (or the reverse).

    Periods at the splitting time itself may hold anything; that is
    quasi-complete separation, under which the maximum likelihood estimate
    does not exist either (Albert and Anderson 1984).
    """
    for c in np.unique(t):
        before, after = t < c, t > c
        if (np.all(y[before] == 0) and np.all(y[after] == n[after])) or (
            np.all(y[before] == n[before]) and np.all(y[after] == 0)
        ):
            return True
    return False


def _trend(family: str, y, d, t, conf_level) -> TrendResult:
    alpha = float(alpha_from_conf(conf_level))
    n_periods = int(y.size)
    if n_periods < MIN_PERIODS:
        return _no_trend(n_periods, TOO_FEW)
    if np.ptp(t) == 0:
        return _no_trend(n_periods, SAME_TIME)
    if np.all(y == 0):
        return _no_trend(n_periods, NO_EVENTS)
    if family == "poisson":
        if np.all(y[t != t.min()] == 0) or np.all(y[t != t.max()] == 0):
            return _no_trend(n_periods, END_PERIOD_ONLY)
        offset, trials = np.log(d), None
        null_fitted = d * y.sum() / d.sum()
    else:
        if np.any(y > d):
            raise ValueError("binomial numerators must not exceed their denominators")
        if np.all(y == d):
            return _no_trend(n_periods, ALL_EVENTS)
        if _separated(y, d, t):
            return _no_trend(n_periods, SEPARATED)
        offset, trials = None, d
        null_fitted = d * y.sum() / d.sum()
    X = np.column_stack([np.ones(n_periods), t - t.mean()])
    fit = glm_fit(y, X, family, offset=offset, trials=trials)
    if fit.reason is not None:
        return _no_trend(n_periods, fit.reason)
    slope, se = float(fit.coef[1]), float(fit.se[1])
    z = norm.ppf(1.0 - alpha / 2.0)
    lr = max(_deviance(family, y, null_fitted, trials) - fit.deviance, 0.0)
    variance = fit.fitted if family == "poisson" else fit.fitted * (1.0 - fit.fitted / d)
    dispersion = float(np.sum((y - fit.fitted) ** 2 / variance) / (n_periods - 2)) if n_periods > 2 else np.nan
    return TrendResult(
        n_periods=n_periods,
        slope=slope,
        slope_se=se,
        ratio=float(np.exp(slope)),
        ratio_lower=float(np.exp(slope - z * se)),
        ratio_upper=float(np.exp(slope + z * se)),
        p_value=float(2.0 * norm.sf(abs(slope) / se)),
        p_value_lr=float(chi2.sf(lr, 1)),
        dispersion=dispersion,
        p_value_quasi=float(2.0 * student_t.sf(abs(slope) / (se * np.sqrt(max(dispersion, 1.0))), n_periods - 2)),
        reason=None,
    )


def poisson_trend(counts, denominators, times=None, conf_level: float = 0.95) -> TrendResult:
    """Trend in a rate: Poisson regression of the counts on time with ``log(denominator)`` as offset.

    One value per period in each argument; ``times`` defaults to
    ``0, 1, ..., n - 1`` (so the slope is per period).  Returns a
    :class:`TrendResult`: the slope in log rate per unit of time, the rate ratio
    per unit of time with ``conf_level`` limits, the Wald and likelihood-ratio
    p-values, or NaNs with a ``reason`` (module docstring).  Periods with a
    missing count or a missing, zero or negative denominator are left out.
    """
    return _trend("poisson", *_usable_periods(counts, denominators, times), conf_level)


def binomial_trend(numerators, denominators, times=None, conf_level: float = 0.95) -> TrendResult:
    """Trend in a proportion: logistic regression of ``numerators`` out of ``denominators`` on time.

    As :func:`poisson_trend`, with the slope in log odds per unit of time and
    the odds ratio per unit of time.  A numerator above its denominator is a
    ``ValueError``.
    """
    return _trend("binomial", *_usable_periods(numerators, denominators, times), conf_level)


def trend_direction(slope, p_value, polarity, alpha: float = 0.05) -> np.ndarray:
    """The direction label of each trend: an object array of strings from :data:`DIRECTIONS`.

    ``'improving'`` / ``'getting worse'`` when ``p_value < alpha`` and the
    polarity is ``'high is good'`` or ``'high is bad'`` (a rising series is
    improving when high is good); ``'increasing'`` / ``'decreasing'`` when it
    is ``'no judgement'``; ``'no significant change'`` when ``p_value >=
    alpha``; ``'not assessed'`` when the slope or the p-value is NaN (no trend
    was estimated).  Arguments broadcast against each other; ``polarity`` is a
    string or an array of strings, each one of :data:`transforms.stats.compare.POLARITIES`.
    """
    if not 0 < alpha < 1:
        raise ValueError("alpha must be strictly between 0 and 1, e.g. 0.05")
    slope, p_value = as_float(slope), as_float(p_value)
    polarity = np.asarray(polarity, dtype=object)
    unknown = set(polarity.ravel().tolist()) - set(POLARITIES)
    if unknown:
        raise ValueError(f"polarity {sorted(map(str, unknown))} is not one of {list(POLARITIES)}")
    slope, p_value, polarity = np.broadcast_arrays(slope, p_value, polarity)
    rising = slope > 0
    judged = polarity != "no judgement"
    good = np.where(rising == (polarity == "high is good"), "improving", "getting worse")
    plain = np.where(rising, "increasing", "decreasing")
    out = np.where(p_value < alpha, np.where(judged, good, plain), "no significant change")
    out = np.where(np.isnan(slope) | np.isnan(p_value), "not assessed", out)
    return out.astype(object)
