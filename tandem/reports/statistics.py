"""Estimates with honest uncertainty, for the evaluation analytics.

Pure functions over plain numbers (statsmodels does the arithmetic):

- a proportion with its Wilson score interval (good at small n and near 0 or 1, where
  the normal approximation fails);
- a mean with its Student-t interval;
- an adjusted comparison: the outcome regressed on the factor of interest and the
  covariates (ordinary least squares for a score, logistic regression for a yes/no
  outcome), each level of the factor against a reference level with its 95% interval.
  A regression on observational records shows association, not cause: the pages say so.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Estimate:
    n: int
    value: float  # a proportion (0 to 1) or a mean
    low: float
    high: float


def proportion(successes: int, n: int) -> Estimate:
    """The share of ``n`` that are ``successes``, with the 95% Wilson interval."""
    from statsmodels.stats.proportion import proportion_confint

    if n < 1 or not 0 <= successes <= n:
        raise ValueError("A proportion needs 0 ≤ successes ≤ n and n ≥ 1.")
    low, high = proportion_confint(successes, n, alpha=1 - CONFIDENCE, method="wilson")
    return Estimate(n, successes / n, float(low), float(high))


def mean(values: Sequence[float]) -> Estimate:
    """The mean of ``values`` with its 95% Student-t interval (needs two or more)."""
    from statsmodels.stats.weightstats import DescrStatsW

    if len(values) < 2:
        raise ValueError("A mean's interval needs at least two values.")
    if any(not math.isfinite(v) for v in values):
        raise ValueError("Values must be finite numbers.")
    stats = DescrStatsW([float(v) for v in values])
    low, high = stats.tconfint_mean(alpha=1 - CONFIDENCE)
    if math.isnan(low):  # every value the same: no spread, the interval is the point
        low = high = stats.mean
    return Estimate(len(values), float(stats.mean), float(low), float(high))


@dataclass(frozen=True)
class Contrast:
    level: str
    effect: float  # difference in the outcome (a score) or odds ratio (yes/no)
    low: float
    high: float


@dataclass(frozen=True)
class Adjusted:
    outcome: str
    factor: str
    reference: str
    covariates: tuple[str, ...]
    binary: bool
    n: int
    contrasts: list[Contrast]


def adjusted_comparison(
    rows: Sequence[dict],
    *,
    outcome: str,
    factor: str,
    covariates: Sequence[str],
    binary: bool,
    reference: str | None = None,
) -> Adjusted | None:
    """Regress ``outcome`` on ``factor`` (categorical) and ``covariates`` (categorical
    when text, numeric otherwise) over ``rows``; None when the model cannot be estimated
    (too few rows, one level only, perfect separation, a singular design)."""
    import numpy as np
    import pandas as pd
    import statsmodels.formula.api as smf

    data = pd.DataFrame([{k: r[k] for k in (outcome, factor, *covariates)} for r in rows]).dropna()
    if data.empty or data[factor].nunique() < 2:
        return None
    levels = sorted(data[factor].astype(str).unique())
    reference = reference if reference in levels else levels[0]
    data[factor] = data[factor].astype(str)
    terms = [f"C(Q('{factor}'), Treatment(reference={reference!r}))"]
    for name in covariates:
        is_text = data[name].dtype == object
        if is_text and data[name].nunique() < 2:
            continue
        terms.append(f"C(Q('{name}'))" if is_text else f"Q('{name}')")
    formula = f"Q('{outcome}') ~ " + " + ".join(terms)
    if len(data) <= len(terms) + len(levels) + 2:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if binary:
                data[outcome] = data[outcome].astype(int)
                fit = smf.logit(formula, data).fit(disp=False, maxiter=100)
                if not fit.mle_retvals.get("converged", False):
                    return None
            else:
                data[outcome] = data[outcome].astype(float)
                fit = smf.ols(formula, data).fit()
    except (ValueError, np.linalg.LinAlgError, ArithmeticError):
        return None
    except Exception as error:  # statsmodels' PerfectSeparationError and kin
        if "separation" in str(error).lower() or "singular" in str(error).lower():
            return None
        raise
    intervals = fit.conf_int(alpha=1 - CONFIDENCE)
    contrasts = []
    for level in levels:
        if level == reference:
            continue
        key = next((k for k in fit.params.index if k.endswith(f"[T.{level}]")), None)
        if key is None or not np.isfinite(fit.params[key]):
            return None
        effect, low, high = fit.params[key], *intervals.loc[key]
        if binary:
            effect, low, high = (math.exp(x) for x in (effect, low, high))
        contrasts.append(Contrast(level, float(effect), float(low), float(high)))
    return Adjusted(outcome, factor, reference, tuple(covariates), binary, len(data), contrasts)
